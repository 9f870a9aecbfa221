// Reads Vault ACL policy texts (one JSON string per line) and prints, per line, what Vault reads in them:
// hcl v1 Parse, then the key checks, path extraction and legacy mapping of vault/policy.go parsePaths, as
// {"blocks": [[path, [capabilities...]], ...]} or {"error": "..."}. Capabilities are a sorted set (a deny is kept as
// one capability, not applied: the comparison is of what each block names).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/hcl"
	"github.com/hashicorp/hcl/hcl/ast"
)

type pathRules struct {
	Policy                string
	Capabilities          []string
	MinWrappingTTLHCL     interface{}              `hcl:"min_wrapping_ttl"`
	MaxWrappingTTLHCL     interface{}              `hcl:"max_wrapping_ttl"`
	AllowedParametersHCL  map[string][]interface{} `hcl:"allowed_parameters"`
	DeniedParametersHCL   map[string][]interface{} `hcl:"denied_parameters"`
	RequiredParametersHCL []string                 `hcl:"required_parameters"`
	MFAMethodsHCL         []string                 `hcl:"mfa_methods"`
}

func checkKeys(node ast.Node, valid []string) error {
	var list *ast.ObjectList
	switch n := node.(type) {
	case *ast.ObjectList:
		list = n
	case *ast.ObjectType:
		list = n.List
	default:
		return fmt.Errorf("cannot check HCL keys of type %T", n)
	}
	m := map[string]bool{}
	for _, v := range valid {
		m[v] = true
	}
	for _, item := range list.Items {
		key := item.Keys[0].Token.Value().(string)
		if !m[key] {
			return fmt.Errorf("invalid key %q", key)
		}
	}
	return nil
}

var legacy = map[string][]string{
	"deny": {"deny"}, "read": {"read", "list"},
	"write": {"create", "read", "update", "delete", "list"},
	"sudo":  {"create", "read", "update", "delete", "list", "sudo"},
}

func read(rules string) (out [][2]interface{}, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	root, err := hcl.Parse(rules)
	if err != nil {
		return nil, err
	}
	list, ok := root.Node.(*ast.ObjectList)
	if !ok {
		return nil, fmt.Errorf("no root object")
	}
	if err := checkKeys(list, []string{"name", "path"}); err != nil {
		return nil, err
	}
	valid := []string{"comment", "policy", "capabilities", "allowed_parameters", "denied_parameters", "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group"}
	for _, item := range list.Filter("path").Items {
		key := "path"
		if len(item.Keys) > 0 {
			key = item.Keys[0].Token.Value().(string)
		}
		if err := checkKeys(item.Val, valid); err != nil {
			return nil, err
		}
		var pc pathRules
		if err := hcl.DecodeObject(&pc, item.Val); err != nil {
			return nil, err
		}
		caps := pc.Capabilities
		if pc.Policy != "" {
			l, ok := legacy[pc.Policy]
			if !ok {
				return nil, fmt.Errorf("invalid policy")
			}
			caps = append(caps, l...)
		}
		set := map[string]bool{}
		for _, c := range caps {
			set[c] = true
		}
		uniq := []string{}
		for c := range set {
			uniq = append(uniq, c)
		}
		sort.Strings(uniq)
		out = append(out, [2]interface{}{key, uniq})
	}
	return out, nil
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var text string
		if err := json.Unmarshal(sc.Bytes(), &text); err != nil {
			panic(err)
		}
		blocks, err := read(text)
		if err != nil {
			enc.Encode(map[string]interface{}{"error": err.Error()})
		} else {
			if blocks == nil {
				blocks = [][2]interface{}{}
			}
			enc.Encode(map[string]interface{}{"blocks": blocks})
		}
	}
}
