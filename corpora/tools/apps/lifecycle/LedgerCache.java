package com.example.reports;

import java.util.ArrayList;
import java.util.List;

public class LedgerCache {
    static final class Row {
        final long account;
        final long[] amounts = new long[64];
        Row(long account) { this.account = account; }
    }

    private final List<Row> rows = new ArrayList<>();

    void load(String year) {
        System.out.println("ledger-cache: loading ledger " + year + " into memory");
        for (long i = 0; ; i++) {
            rows.add(new Row(i));
            if (i % 20000 == 0) System.out.println("ledger-cache: " + i + " rows cached");
        }
    }

    public static void main(String[] args) {
        new LedgerCache().load("2025");
    }
}
