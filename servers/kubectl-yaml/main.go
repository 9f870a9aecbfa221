// Command kubectl-yaml decodes a YAML or JSON stream on stdin exactly as kubectl apply -f does
// (k8s.io/apimachinery/pkg/util/yaml.YAMLOrJSONDecoder over sigs.k8s.io/yaml) and prints one JSON
// line per document: {"value": <document>} or, where kubectl would fail, {"error": "<reason>"}.
// The agent-trust integration tests compare the checker's own reader against it.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

func main() {
	d := utilyaml.NewYAMLOrJSONDecoder(os.Stdin, 4096)
	for {
		var v interface{}
		err := d.Decode(&v)
		if err == io.EOF {
			return
		}
		if err != nil {
			b, _ := json.Marshal(map[string]string{"error": err.Error()})
			fmt.Println(string(b))
			return
		}
		b, err := json.Marshal(map[string]interface{}{"value": v})
		if err != nil {
			b, _ = json.Marshal(map[string]string{"error": err.Error()})
		}
		fmt.Println(string(b))
	}
}
