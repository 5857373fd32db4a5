// Package ps51 holds emitted scripts to what Windows PowerShell 5.1 runs,
// beyond parsing: every cmdlet and parameter exists in 5.1 (with the enum
// values used), every .NET type and member is on an allow-list checked
// against the .NET Framework 4.5 reference, every variable read under
// Set-StrictMode -Version Latest is assigned first, every call of a
// script's own function names parameters it declares, and no PowerShell 7
// syntax appears. The syntax tree comes from PowerShell's own parser
// (facts.ps1, run in the pwsh the tests use); the checks are Go.
package ps51

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

//go:embed facts.ps1
var factsScript []byte

// Node is one node of PowerShell's syntax tree (System.Management.
// Automation.Language), with the facts facts.ps1 prints for its type.
type Node struct {
	ID     int
	Type   string // the AST class: CommandAst, VariableExpressionAst, ...
	Parent int
	// Role is the property of the parent this node hangs from: Body,
	// Condition, CommandElements, Clauses.Item1, ...
	Role                     string
	Start, End, Line, Column int

	Name        string // variable, command, parameter, function, attribute argument
	Drive       string // a variable's drive: env, function, ...
	Scope       string // a variable's scope modifier: script, global, private, local
	Splatted    bool
	Invocation  string // a command's & or . (Ampersand, Dot, Unknown)
	HasArgument bool   // -Name:value
	Value       string // a string constant's value
	Quote       string // its kind: SingleQuoted, BareWord, ...
	ValueType   string // a constant's .NET type
	TypeName    string // a type literal, constraint or attribute as written
	Static      bool
	// NullConditional is ?. or ?[ (PowerShell 7.1).
	NullConditional bool
	Operator        string
	IsFilter        bool
	IsWorkflow      bool
	Background      bool // a pipeline ending in & (PowerShell 6)
	Flags           string

	parent *Node
	kids   []*Node
}

// Token is a number or expandable-string token, which the tree does not
// keep as written.
type Token struct {
	Kind         string
	Text         string
	Line, Column int
}

// File is one parsed script.
type File struct {
	Path   string
	Errors []string
	Nodes  []*Node
	Tokens []Token
	// Name is what findings call the file.
	Name string
}

// Root is the script's ScriptBlockAst.
func (f *File) Root() *Node { return f.Nodes[0] }

// Kids are n's children, in the order PowerShell's AST lists them.
func (n *Node) Kids() []*Node { return n.kids }

// Up is n's parent, nil for the root.
func (n *Node) Up() *Node { return n.parent }

// Kid is n's first child in role, or nil.
func (n *Node) Kid(role string) *Node {
	for _, k := range n.kids {
		if k.Role == role {
			return k
		}
	}
	return nil
}

// KidsIn are n's children in role.
func (n *Node) KidsIn(role string) []*Node {
	var out []*Node
	for _, k := range n.kids {
		if k.Role == role {
			out = append(out, k)
		}
	}
	return out
}

// Within is the nearest node of type t that n is (or is inside), or nil
// when a node of a type in stop comes first.
func (n *Node) Within(t string, stop ...string) *Node {
	for p := n; p != nil; p = p.parent {
		if p.Type == t {
			return p
		}
		if p != n && slices.Contains(stop, p.Type) {
			return nil
		}
	}
	return nil
}

// Script is one script to parse: its name in findings, and its content.
type Script struct {
	Name    string
	Content []byte
}

// Parse parses every script with PowerShell's own parser, in one run of
// pwsh, which writes the trees to list.json.out.
func Parse(pwsh string, scripts []Script) ([]*File, error) {
	dir, err := os.MkdirTemp("", "ps51-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var paths []string
	for i, s := range scripts {
		p := filepath.Join(dir, fmt.Sprintf("%03d.ps1", i))
		if err := os.WriteFile(p, s.Content, 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	list, err := json.Marshal(paths)
	if err != nil {
		return nil, err
	}
	listFile := filepath.Join(dir, "list.json")
	factsFile := filepath.Join(dir, "facts.ps1")
	if err := os.WriteFile(listFile, list, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(factsFile, factsScript, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", factsFile, listFile)
	cmd.Env = append(os.Environ(), "POWERSHELL_TELEMETRY_OPTOUT=1", "POWERSHELL_UPDATECHECK=Off", "NO_COLOR=1", "TERM=dumb")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s facts.ps1: %w: %s", pwsh, err, output.String())
	}
	facts, err := os.ReadFile(listFile + ".out")
	if err != nil {
		return nil, err
	}
	var files []*File
	if err := json.Unmarshal(facts, &files); err != nil {
		return nil, fmt.Errorf("reading facts.ps1's output: %w", err)
	}
	if len(files) != len(scripts) {
		return nil, fmt.Errorf("facts.ps1 printed %d files for %d scripts", len(files), len(scripts))
	}
	for i, f := range files {
		f.Name = scripts[i].Name
		if err := f.link(); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return files, nil
}

// link sets every node's parent and children.
func (f *File) link() error {
	if len(f.Nodes) == 0 {
		return fmt.Errorf("no syntax tree")
	}
	for i, n := range f.Nodes {
		if n.ID != i {
			return fmt.Errorf("node %d has id %d", i, n.ID)
		}
		if n.Parent >= 0 {
			p := f.Nodes[n.Parent]
			n.parent = p
			p.kids = append(p.kids, n)
		}
	}
	return nil
}
