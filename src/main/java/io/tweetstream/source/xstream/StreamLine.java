package io.tweetstream.source.xstream;

import io.tweetstream.source.x.V2Tweet;

/**
 * What waits in the stream's bounded queue for {@code x-v2-stream-source}: a line as the stream sent
 * it ({@code text}), or a post found by gap fill ({@code post}), numbered in the order they were
 * queued so the cursor only moves past what is done, and when it was read ({@link System#nanoTime()}). Its text form is what a dead-lettered line keeps.
 */
public record StreamLine(long sequence, String text, V2Tweet post, long receivedNanos) {

    static StreamLine ofStream(long sequence, String text) {
        return new StreamLine(sequence, text, null, System.nanoTime());
    }

    static StreamLine ofGapFill(long sequence, V2Tweet post) {
        return new StreamLine(sequence, null, post, System.nanoTime());
    }

    /** Whether gap fill (recent search) found it, rather than the stream delivering it. */
    public boolean gapFill() {
        return post != null;
    }

    @Override
    public String toString() {
        return text != null ? text : String.valueOf(post);
    }
}
