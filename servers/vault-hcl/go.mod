// Wrapper module for a tiny reader that parses a Vault ACL policy as Vault does: hashicorp/hcl v1 (the
// `-vault` release line Vault pins) and the key checks and path extraction of vault/policy.go parsePaths.
// The checker's policy parser is compared against it (test/integration/vault-hcl.test.ts).
module agent-trust/servers/vault-hcl

go 1.26.0

require github.com/hashicorp/hcl v1.0.1-vault-5
