# Build: the same Maven build as on a workstation
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

# Run: JRE only, as a non-root user; routes/ and application.properties are mounted or copied in /app
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app tweetstream
WORKDIR /app
COPY --from=build /src/target/tweetstream.jar /app/tweetstream.jar
COPY --from=build /src/target/lib /app/lib
COPY routes routes
COPY application.properties application.properties
USER tweetstream
ENTRYPOINT ["java", "-jar", "/app/tweetstream.jar"]
