# kafscope: `make demo` opens kafscope on a local demo cluster; `make test` runs every test.
# Both install what is missing first (scripts/setup) and skip what is already there.
.PHONY: all setup build release test demo demo-check clean

all: build

setup:
	scripts/setup

build: setup
	swift build

release: setup
	swift build -c release --product kafscope

test:
	scripts/test

demo:
	scripts/demo

demo-check:
	scripts/demo --check

clean:
	swift package clean
