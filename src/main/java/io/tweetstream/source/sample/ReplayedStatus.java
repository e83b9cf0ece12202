package io.tweetstream.source.sample;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.LocalDateTime;

import twitter4j.v1.Status;

/**
 * A sample tweet sent again as a new tweet: the twitter4j {@link Status} parsed from the sample
 * file, with another id and creation time and everything else its own. Replaying this way costs a
 * few calls instead of a JSON round trip per tweet, which kept the sample source from feeding the
 * ingest route at full speed.
 */
final class ReplayedStatus implements InvocationHandler {

    private final Status original;
    private final long id;
    private final LocalDateTime createdAt;

    private ReplayedStatus(Status original, long id, LocalDateTime createdAt) {
        this.original = original;
        this.id = id;
        this.createdAt = createdAt;
    }

    /** {@code original} with {@code id} and {@code createdAt} (twitter4j's local date-time in the JVM's zone). */
    static Status of(Status original, long id, LocalDateTime createdAt) {
        return (Status) Proxy.newProxyInstance(Status.class.getClassLoader(), new Class<?>[] {Status.class},
                new ReplayedStatus(original, id, createdAt));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "getId":
                return id;
            case "getCreatedAt":
                return createdAt;
            case "toString":
                return "ReplayedStatus{id=" + id + ", createdAt=" + createdAt + ", of=" + original.getId() + "}";
            case "hashCode":
                return Long.hashCode(id);
            case "equals":
                return proxy == args[0];
            default:
                try {
                    return method.invoke(original, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
        }
    }
}
