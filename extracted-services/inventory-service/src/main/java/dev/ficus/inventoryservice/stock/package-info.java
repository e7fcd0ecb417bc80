/**
 * Stock and reservations: what the shop's inventory module did, done here, reached over RabbitMQ
 * (order events in, decisions out) and over the same HTTP API for stock levels and restocks.
 */
package dev.ficus.inventoryservice.stock;
