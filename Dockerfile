# contactd in a container: built on Debian 12 with the same packages as the README's commands, run
# against the PostgreSQL 15 of docker-compose.yml (CONTACTD_DATABASE_URL).
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCONTACTD_BUILD_TESTS=OFF -DCONTACTD_BUILD_BENCH=OFF \
    && cmake --build build --target contactd

FROM debian:12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpqxx-6.4 libphonenumber8 libsimdjson14 libssl3 zlib1g liblz4-1 libjemalloc2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/contactd --create-home contactd
COPY --from=build /src/build/app/contactd /usr/local/bin/contactd
USER contactd
WORKDIR /var/lib/contactd
ENV CONTACTD_LISTEN=0.0.0.0:8080 CONTACTD_DATA_DIR=/var/lib/contactd
EXPOSE 8080
ENTRYPOINT ["contactd"]
CMD ["serve"]
