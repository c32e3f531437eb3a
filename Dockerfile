# One image per operator: this image carries yopf; an operator image is two lines on top
# of it (see the README):
#   FROM yopf
#   COPY handlers/mysql /operator

# --- build: yopf in release mode with the Swift standard library linked in statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjq-dev libyaml-dev libcurl4-openssl-dev libpsl-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product yopf \
 && install -D -m 0755 -s .build/release/yopf /out/yopf

# --- runtime: Debian 12 slim with exactly the shared libraries the binary links
# (`ldd yopf`: libcurl4 and its TLS/HTTP2/IDN libraries, libjq1 with libonig5,
# libyaml-0-2, libpsl5, and libssl3, which libcurl4 brings anyway and the dev-cluster's
# https listener uses directly). scripts/check-image-root reads the package list below and proves
# this stage in a debootstrap root, since no Docker engine runs in CI.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libjq1 libyaml-0-2 libpsl5 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/yopf /usr/local/bin/yopf
# Non-root, nothing writable needed.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/yopf", "run", "/operator"]
