# tweetstream image: built from the sources in two stages, run as a non-root user.
#   docker build -t tweetstream .   (docker-compose.yml does this: docker compose up --build)

# Build: the same Maven build as on a workstation (JDK 17, Maven 3.9)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

# Run: JRE only; the jar, its dependencies, the routes and application.properties in /app (mount
# routes/ and application.properties over them to change them without a rebuild)
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 tweetstream \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home tweetstream \
 && mkdir -p /app/data && chown 10001:10001 /app/data
WORKDIR /app
COPY --from=build /src/target/tweetstream.jar /app/tweetstream.jar
COPY --from=build /src/target/lib /app/lib
COPY routes routes
COPY application.properties application.properties
# In a container the HTTP endpoints (/observe/health, /observe/metrics) must listen beyond loopback
ENV CAMEL_SERVER_HOST=0.0.0.0
# an image runs the routes it was started with; docker-compose.yml turns reload on for development
ENV CAMEL_MAIN_ROUTES_RELOAD_ENABLED=false
EXPOSE 8080
USER 10001:10001
ENTRYPOINT ["java", "-jar", "/app/tweetstream.jar"]
