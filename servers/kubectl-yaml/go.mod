// Wrapper module for a tiny decoder that reads YAML and JSON exactly as kubectl apply -f does; the
// checker's reader is compared against it (test/integration/kubectl-yaml.test.ts). apimachinery is
// pinned to the same release as the kube-apiserver the integration tests build (servers/kube).
module agent-trust/servers/kubectl-yaml

go 1.26.0

require k8s.io/apimachinery v0.36.3

require (
	go.yaml.in/yaml/v2 v2.4.3 // indirect
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730 // indirect
	sigs.k8s.io/yaml v1.6.0 // indirect
)
