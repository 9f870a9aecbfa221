// Command kubectl-yaml decodes a YAML or JSON stream on stdin exactly as kubectl apply -f does
// (k8s.io/apimachinery/pkg/util/yaml.YAMLOrJSONDecoder over sigs.k8s.io/yaml) and prints one JSON
// line per document: {"value": <document>} or, where kubectl would fail, {"error": "<reason>"}.
// With -batch, stdin holds many inputs, one JSON string per line; each is decoded as above (after
// dropping a leading UTF-8 byte order mark, as kubectl's file reader does) and answered with one JSON
// line: the array of its documents' results. The agent-trust integration tests compare the checker's
// own reader against it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type result map[string]interface{}

func decode(r io.Reader) []result {
	out := []result{}
	d := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	for {
		var v interface{}
		err := d.Decode(&v)
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, result{"error": err.Error()})
		}
		if _, err := json.Marshal(v); err != nil {
			out = append(out, result{"error": err.Error()})
			continue
		}
		out = append(out, result{"value": v})
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-batch" {
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 1<<30)
		w := bufio.NewWriter(os.Stdout)
		defer w.Flush()
		for in.Scan() {
			var text string
			if err := json.Unmarshal(in.Bytes(), &text); err != nil {
				fmt.Fprintln(os.Stderr, "kubectl-yaml: -batch input lines must be JSON strings:", err)
				os.Exit(2)
			}
			b, err := json.Marshal(decode(bytes.NewReader(bytes.TrimPrefix([]byte(text), []byte("\xef\xbb\xbf")))))
			if err != nil {
				b, _ = json.Marshal([]result{{"error": err.Error()}})
			}
			w.Write(b)
			w.WriteByte('\n')
		}
		if err := in.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "kubectl-yaml:", err)
			os.Exit(2)
		}
		return
	}
	for _, r := range decode(os.Stdin) {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
}
