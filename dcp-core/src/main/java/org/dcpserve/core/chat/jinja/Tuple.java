package org.dcpserve.core.chat.jinja;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A tuple, {@code (a, b)}: a list everywhere except where the reference tells them apart by type: it is not
 * {@code iterable}, cannot be printed or turned into JSON, and only compares with tuples when sorting.
 */
final class Tuple extends AbstractList<Object> {

    private final List<Object> items;

    Tuple(List<Object> items) {
        this.items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
