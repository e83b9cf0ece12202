package io.tweetstream.source;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.tweetstream.kafka.SourceCursors;

/** Source cursors in memory instead of Kafka, which can be made to fail like an unreachable Kafka. */
public final class MemorySourceCursors extends SourceCursors {

    public final Map<String, String> saved = new ConcurrentHashMap<>();
    public volatile int writes;
    public volatile boolean unreadable;
    public volatile boolean unwritable;

    @Override
    public Optional<String> read(String key) {
        if (unreadable) {
            throw new IllegalStateException("Kafka does not answer");
        }
        return Optional.ofNullable(saved.get(key));
    }

    @Override
    public void write(String key, String value) {
        if (unwritable) {
            throw new IllegalStateException("Kafka does not answer");
        }
        writes++;
        saved.put(key, value);
    }
}
