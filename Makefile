# Onyx: one-command set-up for a fresh Debian machine with the Swift toolchain.
#   make demo   install what is missing, build, run onyx on fixtures/mlp.onnx
#   make release   the optimized .build/release/onyx (scripts/build-release)
#   make test   install what is missing, generate the conformance cache, run every test
#   make test-asan  every test under AddressSanitizer (make fuzz-build: the fuzz targets)

SHELL := /bin/bash
# The image -dev packages: their headers build Sources/CImageCodecs, and the
# libraries they bring are what ImageDecoder loads when it first decodes.
# libre2-dev gives RegexFullMatch RE2 itself (Sources/CRE2); libjemalloc-dev
# is the release executable's allocator (Sources/CAllocator).
DEBIAN_PACKAGES := libprotobuf-c-dev protobuf-c-compiler pkg-config graphviz libopenblas-dev \
	libjpeg62-turbo-dev libpng-dev libtiff-dev libwebp-dev libopenjp2-7-dev libre2-dev libjemalloc-dev chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ONYX := .build/debug/onyx
DEMO_DIR := .build/demo

.PHONY: all deps build release test test-asan fuzz-build demo conformance conformance-run check-proto check-schemas schemas clean

all: build

# Installs the Debian packages that are not there yet (and python3-venv when
# the system Python cannot make a virtual environment).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	python3 -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build

release: deps
	scripts/build-release

# The ONNX backend node suite and the onnx wheel's model folders, generated
# by the pinned Python onnx into .cache/onnx-tests (ONYX_ONNX_TESTS overrides),
# and transformer models exported by the pinned onnxscript into
# .cache/onnxscript-models (ONYX_ONNXSCRIPT_MODELS overrides).
conformance:
	scripts/gen-onnx-tests

# The committed protobuf-c code must be what protoc-c makes of the schema
# (the hand-written helpers beside it are the onyx_* files).
check-proto: deps
	@tmp=$$(mktemp -d); scripts/regen-proto $$tmp; \
	diff -r $$tmp Sources/COnnxProto --exclude='onyx_*' >/dev/null \
	  && echo "check-proto: generated code is up to date" \
	  || { echo "check-proto: Sources/COnnxProto differs from schemas/onnx.proto; run scripts/regen-proto"; rm -rf $$tmp; exit 1; }; \
	rm -rf $$tmp

# The Benchmarks package is built too (not run), so that it cannot rot.
# The committed operator schemas must be what the pinned onnx gives.
check-schemas: conformance
	@tmp=$$(mktemp -d); scripts/gen-schemas $$tmp 2>/dev/null; \
	if diff -r $$tmp/schemas/operators schemas/operators >/dev/null \
	  && diff -r $$tmp/Sources/OnyxSchemas/Generated Sources/OnyxSchemas/Generated >/dev/null; \
	then echo "check-schemas: schemas/operators is up to date"; rm -rf $$tmp; \
	else echo "check-schemas: schemas/operators differs from the pinned onnx; run scripts/gen-schemas"; rm -rf $$tmp; exit 1; fi

schemas: conformance
	scripts/gen-schemas

# The fuzz targets are built plainly (not run), so that they cannot rot; CI
# also runs the suites of the readers and the checker under AddressSanitizer
# (about 7 minutes more; make test-asan runs them all).
test: deps conformance check-proto check-schemas
	swift build --build-tests
	swift test --skip-build --disable-xctest
	swift build --package-path Benchmarks
	swift build --package-path Fuzz
	scripts/conformance
	$(MAKE) test-asan ASAN_SUITES='OnyxIRTests|OnyxONNXTests|OnyxTextTests|OnyxCheckTests'

# The test suite built with AddressSanitizer in its own scratch folder (so
# that it never thrashes .build); ASAN_SUITES (a --filter pattern) narrows it.
# Leak checking is off: the `onyx` process keeps its models until it exits
# (ProcessLifetime), and LeakSanitizer reports the arrays of their typed
# tensor fields as lost, because Swift stores an enum's case in the spare
# bits of its payload's pointer, which the leak scan does not recognize as a
# pointer (the same model loaded and freed, or kept by a test program
# without the enum, reports nothing). The command tests run the sanitized
# onyx, so every model with typed-field tensors would fail them.
ASAN_SUITES ?=
test-asan: deps conformance
	swift build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 swift test --skip-build --disable-xctest --sanitize=address --scratch-path .build-asan \
	  $(if $(ASAN_SUITES),--filter '$(ASAN_SUITES)')

# The fuzz targets (Fuzz/, with the sanitized protobuf-c of scripts/fuzz-deps);
# run one with scripts/fuzz TARGET SECONDS.
fuzz-build: deps
	scripts/fuzz build

# The reference runtime over the node suite and the wheel's model folders,
# against conformance/known-failures.txt (release build).
conformance-run: deps conformance
	scripts/conformance

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(ONYX) inspect fixtures/mlp.onnx
	$(ONYX) convert fixtures/mlp.onnx $(DEMO_DIR)/mlp.onnx --external-data mlp.weights --size-threshold 1024
	$(ONYX) inspect $(DEMO_DIR)/mlp.onnx
	$(ONYX) convert $(DEMO_DIR)/mlp.onnx $(DEMO_DIR)/mlp-inline.onnx --inline-data
	cmp fixtures/mlp.onnx $(DEMO_DIR)/mlp-inline.onnx && echo "demo: external data and back again, byte for byte"
	$(ONYX) convert fixtures/mlp.onnx $(DEMO_DIR)/mlp.json
	$(ONYX) diff fixtures/mlp.onnx $(DEMO_DIR)/mlp.json
	$(ONYX) convert fixtures/kitchen-sink.onnx - --to textproto --elide-weights | head -20
	$(ONYX) convert fixtures/mlp.onnx $(DEMO_DIR)/mlp.onnxtxt --elide-weights
	cat $(DEMO_DIR)/mlp.onnxtxt
	$(ONYX) convert $(DEMO_DIR)/mlp.onnxtxt $(DEMO_DIR)/mlp-from-text.onnx --weights-from fixtures/mlp.onnx
	$(ONYX) diff fixtures/mlp.onnx $(DEMO_DIR)/mlp-from-text.onnx
	$(ONYX) check fixtures/kitchen-sink.onnx

clean:
	rm -rf .build .build-asan Fuzz/.build
