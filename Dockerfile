# One image per operator: this image carries yopf; an operator image is two lines on top
# of it (see the README):
#   FROM yopf
#   COPY handlers/mysql /operator

# --- build: a fully static yopf (scripts/build-static: Debian's jq, oniguruma, libcurl,
# OpenSSL, nghttp2, libyaml, libpsl linked in; docs/static-build.md), laid out as the
# image's root by scripts/image-root.
FROM swift:6.3-bookworm AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY scripts/build-static scripts/image-root ./scripts/
RUN scripts/image-root /out/root

# --- runtime: nothing but the binary, the CA certificates and the user 65532
# (scripts/check-image-root builds the same root and runs this stage's command line in it
# with chroot, since no Docker engine runs in CI).
FROM scratch
COPY --from=build /out/root/ /
# Non-root, nothing writable needed.
USER 65532:65532
# The binary alone: a Deployment's `args` (what `yopf manifests` writes) replace CMD.
ENTRYPOINT ["/usr/local/bin/yopf"]
CMD ["run", "/operator"]
