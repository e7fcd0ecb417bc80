package dev.ficus.catalogservice.products;

import java.util.List;

import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.relational.core.query.Criteria;
import org.springframework.data.relational.core.query.Query;

class ProductSearchesImpl implements ProductSearches {

    private final JdbcAggregateOperations aggregates;

    ProductSearchesImpl(JdbcAggregateOperations aggregates) {
        this.aggregates = aggregates;
    }

    @Override
    public long countMatching(ProductFilter filter) {
        return aggregates.count(query(filter), ProductRow.class);
    }

    @Override
    public List<ProductRow> findMatching(ProductFilter filter, int page, int size) {
        return aggregates.findAll(query(filter).with(PageRequest.of(page, size, Sort.by("sku"))), ProductRow.class);
    }

    private static Query query(ProductFilter filter) {
        Criteria criteria = Criteria.empty();
        if (filter.text() != null && !filter.text().isBlank()) {
            String pattern = "%" + escapeLike(filter.text().strip()) + "%";
            criteria = criteria.and(Criteria.where("name").like(pattern).ignoreCase(true)
                    .or("sku").like(pattern).ignoreCase(true));
        }
        if (filter.category() != null && !filter.category().isBlank()) {
            criteria = criteria.and(Criteria.where("category").is(filter.category()));
        }
        if (filter.active() != null) {
            criteria = criteria.and(Criteria.where("active").is(filter.active()));
        }
        return Query.query(criteria);
    }

    /** PostgreSQL's LIKE escapes with a backslash. */
    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
