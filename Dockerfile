# Build: docker build -t dcp-serve .   (the context is the repository root)
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -pl dcp-server -am -DskipTests package

FROM eclipse-temurin:21-jre
WORKDIR /app
COPY --from=build /src/dcp-server/target/dcp-server.jar /app/dcp-server.jar
# The default model (dcp.model=onnx-models/sotu-dcp, relative to the working directory).
COPY onnx-models/sotu-dcp /app/onnx-models/sotu-dcp
EXPOSE 8080
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/dcp-server.jar"]
