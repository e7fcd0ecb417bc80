package dev.ficus.shop.inventory;

/** What other modules and the web adapter may ask of the inventory. */
public interface Inventory {

    /** The stock of a SKU; a SKU never stocked has none. */
    StockLevel stockOf(String sku);

    /** Adds units of a SKU to the shelf. */
    StockLevel restock(String sku, int quantity);
}
