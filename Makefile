# lazypull.soci — `make test` sets up everything it needs (virtualenv, real containerd binaries) and runs
# every check; `make demo` runs the collection against a node (see README).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The first Python >= 3.12 this machine has, else python3 (tests/utils/pick-python.sh; .ci/run asks it too).
PYTHON ?= $(shell tests/utils/pick-python.sh)
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV ?= .cache/venv-$(PY_VERSION)
BIN := $(abspath $(VENV))/bin
CONTAINERD_CACHE := $(CURDIR)/.cache/containerd
# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>: a staged copy of the tree.
COLLECTIONS := $(CURDIR)/.cache/collections
STAGE := $(COLLECTIONS)/ansible_collections/lazypull/soci
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
# Test nodes: podman with project settings (runc, ulimits), services' state outside the staged tree.
export CONTAINERS_CONF := $(CURDIR)/molecule/resources/containers.conf
export LAZYPULL_TEST_STATE := $(CURDIR)/.cache/test-services
# The real SOCI build and its Go caches (tests/soci) stay in this tree's .cache, also for scripts run from the stage.
export SOCI_CACHE := $(CURDIR)/.cache/soci

.PHONY: system soci selftest demo demo-clean bench bake-test variables reliability molecule-amazonlinux help venv containerd stage units sanity compat integration molecule lint docs build changelog test clean

help:
	@echo "make demo   - boot a throw-away node, install SOCI on it with lazypull.soci.install, pull through it, report"
	@echo "make test   - every check (selftest, sanity, units, integration, lint, docs, Molecule, reliability)"
	@echo "Both install what they need first (system packages as root, a virtualenv, real containerd binaries)."
	@echo "PYTHON=$(PYTHON) (Python $(PY_VERSION)); VENV=$(VENV)"

# System packages (podman, mmdebstrap, ...): installed when missing, by the script .ci/run calls too.
system:
	@tests/utils/system-packages.sh

$(VENV)/.stamp: requirements/test.txt
	@echo "== virtualenv $(VENV) (Python $(PY_VERSION))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements/test.txt
	touch $@

venv: $(VENV)/.stamp

# ansible-test installs the pinned tools of every sanity test into this one (its --venv mode needs a download
# that only works with full internet access).
SANITY_VENV := $(abspath $(VENV))-sanity
$(SANITY_VENV)/.stamp: requirements/sanity.txt
	$(PYTHON) -m venv $(SANITY_VENV)
	$(SANITY_VENV)/bin/python -m pip install -qq --upgrade pip
	$(SANITY_VENV)/bin/python -m pip install -qq -r requirements/sanity.txt
	tests/utils/ansible-test-get-pip.sh $(SANITY_VENV)/bin/python
	touch $@

containerd:
	@echo "== real containerd binaries (Debian packages, unpacked into .cache)"
	tests/utils/fetch-deb.sh $(CONTAINERD_CACHE) containerd bookworm trixie sid
	@for s in bookworm trixie sid; do $(CONTAINERD_CACHE)/$$s/usr/bin/containerd --version; done

# The real SOCI snapshotter, built from the Go module proxy at the version pinned in tests/soci/pins (SOCI_VERSION=
# picks another pinned one) and packed like its GitHub release into .cache/soci/releases/v<version>/.
soci:
	@echo "== real SOCI (soci-snapshotter-grpc, soci) from the Go module, packed like an upstream release"
	tests/soci/make-release.sh "$(SOCI_VERSION)" $(CURDIR)/.cache/soci/releases

stage: venv
	@rm -rf $(STAGE) && mkdir -p $(STAGE)
	@git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C $(STAGE)
	@git -C $(STAGE) init -q  # a repository of its own: ansible-test lists files with git, and .cache is ignored here
	@mkdir -p $(STAGE)/tests/output && ln -sfn $(CONTAINERD_CACHE) $(STAGE)/tests/output/containerd \
	  && ln -sfn $(SOCI_CACHE) $(STAGE)/tests/output/soci

units: stage containerd soci
	@echo "== ansible-test units"
	@tests/utils/ansible-test-get-pip.sh $(BIN)/python  # ansible-test --venv bootstraps pip with it
	cd $(STAGE) && ansible-test units --venv --python $(PY_VERSION) --requirements

sanity: stage $(SANITY_VENV)/.stamp
	@echo "== ansible-test sanity"
	cd $(STAGE) && $(SANITY_VENV)/bin/ansible-test sanity --local --python $(PY_VERSION) --requirements $(SANITY_ARGS)

integration: stage containerd
	@echo "== ansible-test integration (modules against real files and real containerd binaries)"
	printf 'containerd_cache: %s\nfixtures: %s\n' "$(CONTAINERD_CACHE)" "$(STAGE)/tests/unit/fixtures" \
	  > $(STAGE)/tests/integration/integration_config.yml
	cd $(STAGE) && ansible-test integration --local --python $(PY_VERSION) $(INTEGRATION_ARGS)

# Scenarios that run here (Debian-built nodes); the Amazon Linux ones need a registry that serves their images.
LOCAL_SCENARIOS := default eks-al2 eks-al2-containerd16 eks-al2023-containerd17 kubeadm-containerd2 gpu-nvidia
AMAZON_SCENARIOS := amazonlinux2023 amazonlinux2
MOLECULE := NO_COLOR=1 ANSIBLE_FORCE_COLOR=0 molecule

# The suites that start the local release server and registry stop them on every exit, Ctrl-C included.
STOP_SERVICES := trap '$(CURDIR)/molecule/resources/services.sh stop $(LAZYPULL_TEST_STATE)' EXIT; trap 'exit 130' INT TERM;

molecule: stage
	@echo "== molecule: the role on real systemd + containerd nodes (podman; about 2-3 min per scenario)"
	@$(STOP_SERVICES) cd $(STAGE) && \
	for s in $(AMAZON_SCENARIOS); do echo "-- molecule syntax -s $$s (runs where Amazon Linux images can be pulled)"; \
	  $(MOLECULE) syntax -s $$s > $(CURDIR)/.cache/molecule-$$s.log 2>&1 \
	    || { tail -n 40 $(CURDIR)/.cache/molecule-$$s.log; exit 1; }; done; \
	for s in $(LOCAL_SCENARIOS); do echo "-- molecule test -s $$s"; \
	  start=$$(date +%s); $(MOLECULE) test -s $$s > $(CURDIR)/.cache/molecule-$$s.log 2>&1 \
	    || { tail -n 80 $(CURDIR)/.cache/molecule-$$s.log; echo "molecule -s $$s failed: all of it in .cache/molecule-$$s.log"; exit 1; }; \
	  grep -E '> (converge|idempotence|verify|side_effect): Executed' $(CURDIR)/.cache/molecule-$$s.log | tail -n 5; \
	  echo "   $$s passed in $$(( $$(date +%s) - start )) s"; done

# Faults, bad inputs, check mode, interrupted runs, rollback, uninstall round trip (tests/reliability); a full run
# rewrites docs/reliability.md and fails if that changes it. CASE=<id> runs one case and leaves the file alone.
RELIABILITY_REPORT := $(CURDIR)/docs/reliability.md
reliability: stage
	@echo "== reliability: lazypull.soci.install against nodes with something wrong with them"
	$(STOP_SERVICES) cd tests/reliability && $(if $(CASE),,LAZYPULL_RELIABILITY_REPORT=$(RELIABILITY_REPORT)) \
	  python -m pytest -p no:cacheprovider -q -rA --tb=short $(if $(CASE),-k '$(CASE)') .
	@$(if $(CASE),true,git diff --quiet -- docs/reliability.md || { git --no-pager diff -- docs/reliability.md; \
	  echo "docs/reliability.md is not what this run produced: commit the new one"; exit 1; })

# The Packer bake -> boot test alone (tests/reliability/test_bake.py; `make reliability`, so `make test`, runs it too):
# Debian's packer runs examples/packer's build block over SSH into a node, the node is committed as an image, and a
# node booted from it must serve SOCI with no Ansible run; prints boot-to-ready against the seed's userData at boot.
bake-test: stage
	@echo "== bake: examples/packer with the real Packer into a node, then a node booted from the image"
	$(STOP_SERVICES) cd tests/reliability && python -m pytest -p no:cacheprovider -q -rA -s --tb=short test_bake.py

# Not part of `make test`: the role against the seed's bash userData on fresh nodes, side by side in one run, and
# the containerd patch engine on large configs; writes docs/benchmarks.md (about 10 min).
bench: system venv soci stage
	@echo "== bench: lazypull.soci.install against the seed's bash userData (tests/bench)"
	cd tests/bench && python bench.py

molecule-amazonlinux: stage
	cd $(STAGE) && for s in $(AMAZON_SCENARIOS); do $(MOLECULE) test -s $$s || exit 1; done

lint: stage
	@echo "== ansible-lint (production profile)"
	cd $(STAGE) && ansible-lint

# docs/variables.md, rendered from the role's argument specs (`make docs` checks that the committed page is current).
variables: venv
	$(BIN)/python tests/utils/render-variables.py roles/soci/meta/argument_specs.yml > docs/variables.md

# What users install: the built artifact, without the tests, the Molecule scenarios and the dev files.
docs: build
	@$(BIN)/python tests/utils/render-variables.py roles/soci/meta/argument_specs.yml | diff -u docs/variables.md - \
	  || { echo "docs/variables.md is not what roles/soci/meta/argument_specs.yml renders: run make variables"; exit 1; }
	@echo "== the artifact holds no test or dev files; ansible-doc renders every module from the installed build"
	@left=$$(tar -tzf .cache/build/lazypull-soci-*.tar.gz | grep -E '^(tests|molecule|examples/demo|\.ci|\.cache|\.config)/|^(Makefile|\.gitignore|\.ansible-lint)$$' || true); \
	  [ -z "$$left" ] || { echo "the artifact carries test or dev files:"; echo "$$left"; exit 1; }
	rm -rf .cache/installed
	ansible-galaxy collection install --force -p .cache/installed .cache/build/lazypull-soci-*.tar.gz >/dev/null
	@for m in containerd_version containerd_soci_patch kubelet_image_endpoint; do \
	  ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.cache/installed ANSIBLE_NOCOLOR=1 ansible-doc lazypull.soci.$$m > .cache/doc.txt; \
	  grep -q "^> MODULE lazypull.soci.$$m (.*/.cache/installed/" .cache/doc.txt || { cat .cache/doc.txt; exit 1; }; \
	  echo "ansible-doc lazypull.soci.$$m: $$(wc -l < .cache/doc.txt) lines"; done

build: stage
	@rm -rf .cache/build && mkdir -p .cache/build
	cd $(STAGE) && ansible-galaxy collection build --force --output-path $(CURDIR)/.cache/build >/dev/null
	@ls .cache/build

compat:
	@echo "== target-side code on every Python 3.8-3.13 this machine has"
	tests/utils/compile-target-code.sh

# Fragments checked, then rendered into CHANGELOG.rst as the next release would be (in a copy: no release is made).
changelog: venv
	antsibull-changelog lint
	@rm -rf .cache/changelog && mkdir -p .cache/changelog && cp -r galaxy.yml changelogs .cache/changelog/
	cd .cache/changelog && antsibull-changelog release --version "$$(sed -n 's/^version: //p' galaxy.yml)" --date 2026-01-01 >/dev/null
	@n=$$(grep -c '^- ' .cache/changelog/CHANGELOG.rst); echo "CHANGELOG.rst renders, $$n entries (.cache/changelog/)"; \
	  [ "$$n" -ge "$$(ls changelogs/fragments | wc -l)" ] || { echo "fewer entries than fragments"; exit 1; }

test: system venv containerd soci
	@$(MAKE) --no-print-directory selftest changelog compat sanity units integration lint docs molecule reliability
	@echo "== all checks passed"

demo: system stage
	@examples/demo/demo.sh

demo-clean: venv
	ansible-playbook molecule/resources/playbooks/destroy.yml -e '{"lazypull_nodes": [{"name": "lazypull-demo"}]}'

# What a new user meets first: the set-up script, the demo's failure paths, the services' clean-up (tests/setup).
selftest: stage
	@echo "== selftest: set-up script, demo failure paths, services stopped on every exit"
	cd tests/setup && python -m pytest -p no:cacheprovider -q -rA --tb=short .

clean:
	rm -rf .cache/collections .cache/build .cache/installed
