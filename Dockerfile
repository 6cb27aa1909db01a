# iacguard in a container: docker run --rm -v "$PWD:/src" iacguard check .
# Built from this checkout; runs as an unprivileged user with iacguard as entry point.
FROM python:3.12-slim AS build
WORKDIR /build
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 iacguard
USER iacguard
WORKDIR /src
ENTRYPOINT ["iacguard"]
CMD ["--help"]
