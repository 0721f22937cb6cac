# Convenience targets; the scripts do the work.
PREFIX ?= $(HOME)/.local

.PHONY: build install test
build:
	Scripts/setup.sh
install:
	Scripts/install.sh "$(PREFIX)"
test:
	swift test --disable-swift-testing
