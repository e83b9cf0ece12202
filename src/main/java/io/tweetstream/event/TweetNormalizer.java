package io.tweetstream.event;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.V2TweetMapper;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import twitter4j.v1.HashtagEntity;
import twitter4j.v1.Status;
import twitter4j.v1.URLEntity;
import twitter4j.v1.User;
import twitter4j.v1.UserMentionEntity;

/**
 * Turns a twitter4j {@link Status} (what camel-twitter emits, and what the sample source builds from
 * Twitter API v1.1 JSON) into a {@link TweetEvent}: tweets-to-kafka calls it for every tweet. The X
 * API v2 source maps its own JSON ({@code io.tweetstream.source.x.V2TweetMapper}, the same rules) and hands
 * over events, which pass through.
 *
 * <p>A retweet's own text is cut by the API ("RT @author: ..." then an ellipsis), so the event
 * carries {@code "RT @author: "} followed by the full text of the retweeted tweet, and that
 * tweet's hashtags, mentions and URLs (the retweeted author first among the mentions).
 */
public class TweetNormalizer {

    /** Exchange property naming the source that produced the status (sample, twitter-search, ...). */
    public static final String SOURCE_PROPERTY = "tweetSource";

    private static final String UNDETERMINED_LANGUAGE = "und";

    private final Clock clock;
    private V2TweetMapper v2Mapper;

    public TweetNormalizer() {
        this(Clock.systemUTC());
    }

    public TweetNormalizer(Clock clock) {
        this.clock = clock;
        this.v2Mapper = new V2TweetMapper(clock);
    }

    /** The mapper of API v2 posts (the bean v2TweetMapper). */
    public void setV2Mapper(V2TweetMapper v2Mapper) {
        this.v2Mapper = v2Mapper;
    }

    /**
     * The tweet events of a batch (a list of tweets, or one tweet), in order: each as
     * {@link #normalize} makes it. A tweet that cannot be normalised is left out and noted as a
     * {@link RejectedTweet} of the exchange, to be parked on its own, while the others go on.
     */
    public List<TweetEvent> normalizeAll(@Body Object body, @ExchangeProperty(SOURCE_PROPERTY) String source,
            Exchange exchange) {
        RejectedTweet.begin(exchange);
        Collection<?> tweets = body instanceof Collection<?> batch ? batch : java.util.Collections.singletonList(body);
        List<TweetEvent> events = new ArrayList<>(tweets.size());
        for (Object tweet : tweets) {
            try {
                events.add(normalize(tweet, source));
            } catch (RuntimeException e) {
                RejectedTweet.add(exchange, tweet, e);
            }
        }
        return events;
    }

    /**
     * The tweet event of a message body: a twitter4j {@link Status} (API v1.1) is mapped here, an API
     * v2 post ({@link V2Tweet}, of x-v2-search) by the {@link V2TweetMapper}; a {@link TweetEvent}
     * (from a source that maps its own posts, like {@code x-v2-stream}) is already one and passes
     * through unchanged.
     */
    public TweetEvent normalize(Object body, @ExchangeProperty(SOURCE_PROPERTY) String source) {
        if (body instanceof TweetEvent event) {
            return event;
        }
        if (body instanceof V2Tweet post) {
            return v2Mapper.toEvent(post, source);
        }
        if (body instanceof Status status) {
            return fromStatus(status, source);
        }
        if (body == null) {
            throw new IllegalArgumentException("No tweet to normalise: the message body is empty");
        }
        throw new IllegalArgumentException("Not a tweet: a " + body.getClass().getName()
                + " is neither a twitter4j Status nor a tweet event");
    }

    private TweetEvent fromStatus(Status status, String source) {
        if (status.getUser() == null) {
            throw new IllegalArgumentException("Tweet " + status.getId() + " has no user");
        }
        Status original = status.isRetweet() ? status.getRetweetedStatus() : status;
        String text = status.isRetweet()
                ? "RT @" + original.getUser().getScreenName() + ": " + original.getText()
                : status.getText();
        List<String> mentions = mentions(original);
        if (status.isRetweet()) {
            Set<String> withAuthor = new LinkedHashSet<>();
            withAuthor.add(original.getUser().getScreenName());
            withAuthor.addAll(mentions);
            mentions = List.copyOf(withAuthor);
        }
        return new TweetEvent(
                TweetEvent.SCHEMA_VERSION,
                Long.toString(status.getId()),
                isoInstant(status.getCreatedAt()),
                text,
                status.getLang() == null || status.getLang().isBlank() ? UNDETERMINED_LANGUAGE : status.getLang(),
                user(status.getUser()),
                hashtags(original),
                mentions,
                urls(original),
                status.isRetweet() ? Long.toString(original.getId()) : null,
                idOrNull(status.getInReplyToStatusId()),
                idOrNull(status.getQuotedStatusId()),
                source == null || source.isBlank() ? "unknown" : source,
                Instant.now(clock).toString());
    }

    private static TweetEvent.User user(User user) {
        return new TweetEvent.User(Long.toString(user.getId()), user.getScreenName(), user.getName(),
                user.getFollowersCount());
    }

    private static List<String> hashtags(Status status) {
        return distinct(status.getHashtagEntities(), HashtagEntity::getText);
    }

    private static List<String> mentions(Status status) {
        return distinct(status.getUserMentionEntities(), UserMentionEntity::getScreenName);
    }

    private static List<String> urls(Status status) {
        return distinct(status.getURLEntities(),
                url -> url.getExpandedURL() != null ? url.getExpandedURL() : url.getURL());
    }

    private static <T> List<String> distinct(T[] entities, java.util.function.Function<T, String> text) {
        if (entities == null || entities.length == 0) {
            return List.of();
        }
        Set<String> values = new LinkedHashSet<>();
        Arrays.stream(entities).map(text).filter(v -> v != null && !v.isEmpty()).forEach(values::add);
        return new ArrayList<>(values);
    }

    /** twitter4j 4.1 turns {@code created_at} into a LocalDateTime in the JVM's default zone. */
    private static String isoInstant(LocalDateTime createdAt) {
        if (createdAt == null) {
            throw new IllegalArgumentException("Tweet has no created_at");
        }
        return createdAt.atZone(ZoneId.systemDefault()).toInstant().toString();
    }

    private static String idOrNull(long id) {
        return id > 0 ? Long.toString(id) : null;
    }
}
