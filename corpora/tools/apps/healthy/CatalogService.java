package com.example.catalog;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Catalog service: optional overrides file, a warmed in-memory cache, a tiny HTTP listener. */
public class CatalogService {
    private static final Logger LOG = Logger.getLogger(CatalogService.class.getName());

    public static void main(String[] args) throws IOException {
        Path overrides = Path.of(args.length > 0 ? args[0] : "/etc/catalog/overrides.json");
        int port = Integer.parseInt(System.getProperty("catalog.port", "8080"));
        int requests = Integer.parseInt(System.getProperty("catalog.requests", "3"));
        try {
            String text = Files.readString(overrides);
            LOG.info("loaded " + text.length() + " bytes of overrides");
        } catch (NoSuchFileException e) {
            LOG.log(Level.WARNING, "no overrides file, using the built-in catalog defaults", e);
        }
        // Warm the cache: many short-lived buffers, the last 16 kept (young collections only).
        Deque<byte[]> cache = new ArrayDeque<>();
        long bytes = 0;
        for (int i = 0; i < 600; i++) {
            byte[] page = new byte[256 * 1024];
            page[i % page.length] = (byte) i;
            cache.addLast(page);
            bytes += page.length;
            if (cache.size() > 16) {
                cache.removeFirst();
            }
        }
        LOG.info("cache warmed: " + cache.size() + " pages kept, " + (bytes >> 20) + " MiB scanned");
        try (ServerSocket server = new ServerSocket(port)) {
            LOG.info("catalog service listening on port " + port);
            for (int served = 0; served < requests; served++) {
                try (Socket client = server.accept()) {
                    client.getInputStream().read(new byte[4096]);
                    OutputStream out = client.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
            LOG.info("served " + requests + " requests, shutting down");
        }
    }
}
