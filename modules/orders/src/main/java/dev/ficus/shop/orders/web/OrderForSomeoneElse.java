package dev.ficus.shop.orders.web;

/** A customer may place orders for themselves only. */
class OrderForSomeoneElse extends RuntimeException {

    OrderForSomeoneElse() {
        super("A customer places orders for themselves only: customerId must be the caller's own");
    }
}
