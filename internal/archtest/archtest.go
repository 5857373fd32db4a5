// Package archtest holds octoha's architecture as data: never-rules over
// the import graph (the answers model imports nothing of ours; output never
// imports checks or screens; checks never import screens or output), and a
// checker that finds the import chain breaking one. Its test runs the
// checker over the graph `go list -json ./...` reports, so `go test ./...`
// fails when a package takes an import the design forbids.
package archtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Module is octoha's module path; rules name packages relative to it.
const Module = "github.com/octoha/octoha"

// Rule says that no package matching From may depend, directly or through
// other packages, on a package matching Never. A pattern is a package path
// relative to Module, with "/..." for the package and everything under it;
// "..." alone is every package of the module. A package that both patterns
// match may import the others of From: a tree may import itself.
type Rule struct {
	From, Never string
	// Why is the design's reason, printed with a violation.
	Why string
}

// Rules are octoha's never-rules. Test
// files are not part of the graph: a test may import what its package may
// not.
var Rules = []Rule{
	{From: "steps/...", Never: "...", Why: "the answers model imports nothing of ours"},
	{From: "internal/docs", Never: "...", Why: "the public pages octoha cites are a leaf every layer may import"},
	{From: "render/...", Never: "validate/...", Why: "output never imports the checks: it takes the model's typed values"},
	{From: "render/...", Never: "tui/...", Why: "output never imports the screens"},
	{From: "validate/...", Never: "tui/...", Why: "the checks never import the screens"},
	{From: "validate/...", Never: "render/...", Why: "the checks never import the output"},
	{From: "validate/...", Never: "export/...", Why: "the checks never import the writer"},
	{From: "...", Never: "internal/testkit/...", Why: "the test kit is for _test.go files only"},
	{From: "internal/testkit/...", Never: "validate/...", Why: "the test kit serves every test, so it imports no checks"},
	{From: "internal/testkit/...", Never: "render/...", Why: "the test kit serves every test, so it imports no output"},
	{From: "internal/testkit/...", Never: "tui/...", Why: "the test kit serves every test, so it imports no screens"},
}

// Graph maps each package's import path to the import paths it imports.
type Graph map[string][]string

// Violation is one package that breaks a rule, with the chain of imports
// from it to the forbidden package.
type Violation struct {
	Rule  Rule
	Chain []string
}

func (v Violation) String() string {
	short := make([]string, len(v.Chain))
	for i, p := range v.Chain {
		short[i] = relative(p)
	}
	return fmt.Sprintf("%s must not import %s (%s): %s", v.Rule.From, v.Rule.Never, v.Rule.Why, strings.Join(short, " -> "))
}

// Check returns every violation of rules in g, one per package and rule,
// sorted by package.
func Check(g Graph, rules []Rule) []Violation {
	var out []Violation
	pkgs := make([]string, 0, len(g))
	for p := range g {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, r := range rules {
		for _, p := range pkgs {
			if !Matches(r.From, p) {
				continue
			}
			own := Matches(r.Never, p)
			forbidden := func(q string) bool { return Matches(r.Never, q) && !(own && Matches(r.From, q)) }
			if chain := g.path(p, forbidden); chain != nil {
				out = append(out, Violation{Rule: r, Chain: chain})
			}
		}
	}
	return out
}

// path is the shortest import chain from p to a package for which target
// holds, or nil.
func (g Graph) path(p string, target func(string) bool) []string {
	prev := map[string]string{p: ""}
	queue := []string{p}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range g[cur] {
			if _, seen := prev[next]; seen {
				continue
			}
			prev[next] = cur
			if target(next) {
				chain := []string{next}
				for at := cur; at != ""; at = prev[at] {
					chain = append(chain, at)
				}
				slices.Reverse(chain)
				return chain
			}
			queue = append(queue, next)
		}
	}
	return nil
}

// Matches reports whether import path p matches pattern (see Rule).
func Matches(pattern, p string) bool {
	rel, ok := strings.CutPrefix(p, Module)
	if !ok || rel != "" && rel[0] != '/' {
		return false
	}
	rel = strings.TrimPrefix(rel, "/")
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

func relative(p string) string {
	if rel, ok := strings.CutPrefix(p, Module+"/"); ok {
		return rel
	}
	if p == Module {
		return "(main)"
	}
	return p
}

// ReadGoList reads the stream of JSON objects `go list -json` prints into
// a graph of the module's own packages.
func ReadGoList(r io.Reader) (Graph, error) {
	g := Graph{}
	dec := json.NewDecoder(r)
	for {
		var pkg struct {
			ImportPath string
			Imports    []string
		}
		err := dec.Decode(&pkg)
		if errors.Is(err, io.EOF) {
			return g, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading go list -json: %w", err)
		}
		g[pkg.ImportPath] = pkg.Imports
	}
}
