// Package psparse parses PowerShell with the tree-sitter grammar, for tests
// only: it lets a test ask whether an emitted script parses, which string
// literals it holds and which commands it runs. It needs cgo, so no
// non-test code may import it (the binary must cross-build with
// CGO_ENABLED=0).
//
// Build with the CGO_CFLAGS workaround from the project's test-infra notes
// (§1): the grammar's scanner includes <tree_sitter/parser.h> from its src/.
package psparse

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	powershell "github.com/airbus-cert/tree-sitter-powershell/bindings/go"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

var (
	langOnce sync.Once
	lang     *sitter.Language
)

func language() *sitter.Language {
	langOnce.Do(func() { lang = sitter.NewLanguage(powershell.Language()) })
	return lang
}

// walk parses src and calls visit for every node, depth first, in source
// order. A parser is not safe for concurrent use, so each call makes one.
func walk(src []byte, visit func(n *sitter.Node) bool) {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(language()); err != nil {
		panic(fmt.Sprintf("psparse: loading the PowerShell grammar: %v", err))
	}
	tree := p.Parse(src, nil)
	defer tree.Close()
	var rec func(n *sitter.Node)
	rec = func(n *sitter.Node) {
		if !visit(n) {
			return
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			rec(n.Child(i))
		}
	}
	rec(tree.RootNode())
}

// Errors lists every ERROR and MISSING node as "line:col: ERROR near
// <text>" (1-based); nil means the grammar accepted the whole script.
func Errors(src []byte) []string {
	var out []string
	walk(src, func(n *sitter.Node) bool {
		if !n.IsError() && !n.IsMissing() {
			return true
		}
		kind := "ERROR"
		if n.IsMissing() {
			kind = "MISSING " + n.Kind()
		}
		pos := n.StartPosition()
		text := n.Utf8Text(src)
		if len(text) > 60 {
			text = text[:60] + "..."
		}
		out = append(out, fmt.Sprintf("%d:%d: %s near %q", pos.Row+1, pos.Column+1, kind, text))
		return !n.IsError()
	})
	return out
}

// Literal kinds.
const (
	Verbatim       = "verbatim"        // '...'
	Expandable     = "expandable"      // "..."
	VerbatimHere   = "verbatim-here"   // @'...'@
	ExpandableHere = "expandable-here" // @"..."@
)

// Literal is one string literal in a script.
type Literal struct {
	Kind string
	// Start and End are byte offsets of the whole literal, quotes included.
	Start, End int
	// Source is the literal as written, quotes included.
	Source string
	// Value is the decoded content of a verbatim ('...') literal, by
	// PowerShell's rule (see DecodeVerbatim); for other kinds it is the
	// text between the quotes, undecoded.
	Value string
	// Expands is true for an expandable literal holding a variable or a
	// $(...) sub-expression.
	Expands bool
}

// StringLiterals lists the script's string literals in source order.
func StringLiterals(src []byte) []Literal {
	var out []Literal
	walk(src, func(n *sitter.Node) bool {
		if n.Kind() != "string_literal" || n.NamedChildCount() == 0 {
			return true
		}
		inner := n.NamedChild(0)
		lit := Literal{Start: int(n.StartByte()), End: int(n.EndByte())}
		lit.Source = string(src[lit.Start:lit.End])
		switch inner.Kind() {
		case "verbatim_string_characters":
			lit.Kind = Verbatim
			lit.Value = DecodeVerbatim(lit.Source)
		case "expandable_string_literal":
			lit.Kind = Expandable
			lit.Value = trimQuotes(lit.Source, 1)
			lit.Expands = inner.NamedChildCount() > 0
		case "verbatim_here_string_characters":
			lit.Kind = VerbatimHere
			lit.Value = trimQuotes(lit.Source, 2)
		case "expandable_here_string_literal":
			lit.Kind = ExpandableHere
			lit.Value = trimQuotes(lit.Source, 2)
			lit.Expands = inner.NamedChildCount() > 0
		default:
			lit.Kind = inner.Kind()
		}
		out = append(out, lit)
		return false
	})
	return out
}

func trimQuotes(s string, n int) string {
	r := []rune(s)
	if len(r) < 2*n {
		return s
	}
	return string(r[n : len(r)-n])
}

// singleQuotes are the characters PowerShell's tokenizer treats as a single
// quote (the grammar models only the ASCII one; test-infra §1a).
const singleQuotes = "'\u2018\u2019\u201a\u201b"

// DecodeVerbatim decodes a single-quoted literal, quotes included, by
// PowerShell's real rule: inside the literal, any of the five single-quote
// characters followed by any of them is one escaped quote (the first one),
// and a lone one ends the literal. It returns the content up to the end of
// the literal; anything after a premature end is dropped, so a value that
// broke out of its literal never decodes back to itself.
func DecodeVerbatim(lit string) string {
	r := []rune(lit)
	if len(r) < 2 || !strings.ContainsRune(singleQuotes, r[0]) {
		return ""
	}
	var b strings.Builder
	for i := 1; i < len(r); i++ {
		if !strings.ContainsRune(singleQuotes, r[i]) {
			b.WriteRune(r[i])
			continue
		}
		if i+1 < len(r) && strings.ContainsRune(singleQuotes, r[i+1]) {
			b.WriteRune(r[i])
			i++
			continue
		}
		break // a lone quote ends the literal
	}
	return b.String()
}

// Comment is one comment: a line comment or a <# ... #> block.
type Comment struct {
	Start, End int
	Text       string
}

// Comments lists the script's comments in source order.
func Comments(src []byte) []Comment {
	var out []Comment
	walk(src, func(n *sitter.Node) bool {
		if n.Kind() == "comment" {
			out = append(out, Comment{Start: int(n.StartByte()), End: int(n.EndByte()), Text: n.Utf8Text(src)})
			return false
		}
		return true
	})
	return out
}

// Commands lists the name of every command the script calls (cmdlets,
// functions, `& $exe`...), in source order, as written: "Write-Output",
// "Invoke-OctopusServer", "$ServerExe" for `& $ServerExe ...`.
func Commands(src []byte) []string {
	var out []string
	walk(src, func(n *sitter.Node) bool {
		if n.Kind() == "command" {
			if name := n.ChildByFieldName("command_name"); name != nil {
				out = append(out, name.Utf8Text(src))
			} else if n.NamedChildCount() > 0 {
				out = append(out, n.NamedChild(0).Utf8Text(src))
			}
		}
		return true
	})
	return out
}

// Functions lists the names of the functions the script defines, sorted.
func Functions(src []byte) []string {
	var out []string
	walk(src, func(n *sitter.Node) bool {
		if n.Kind() == "function_statement" {
			if name := n.ChildByFieldName("function_name"); name != nil {
				out = append(out, name.Utf8Text(src))
			} else {
				for i := uint(0); i < n.NamedChildCount(); i++ {
					if c := n.NamedChild(i); c.Kind() == "function_name" {
						out = append(out, c.Utf8Text(src))
					}
				}
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}

// Variable is one place a script names a variable: its name without the
// $, braces and a scope prefix ($script:X is X), lower-cased since
// PowerShell's names ignore case, and whether that place sets it (the left
// side of an assignment, a parameter, a foreach variable) or reads it.
// Drive-qualified names ($env:X) are not variables of the script and are
// left out.
type Variable struct {
	Name string
	Sets bool
	// InFunction says the place is inside a function, whose parameters
	// and assignments are its own.
	InFunction bool
	Line       int // 1-based
}

// Variables lists every variable the script names, in source order.
func Variables(src []byte) []Variable {
	var out []Variable
	var rec func(n *sitter.Node, sets, inFunction bool)
	rec = func(n *sitter.Node, sets, inFunction bool) {
		switch n.Kind() {
		case "left_assignment_expression":
			sets = true
		case "function_statement":
			inFunction = true
		case "variable":
			if name, ok := variableName(n.Utf8Text(src)); ok {
				parent := n.Parent().Kind()
				set := sets || parent == "script_parameter" || parent == "foreach_statement"
				out = append(out, Variable{Name: name, Sets: set, InFunction: inFunction, Line: int(n.StartPosition().Row) + 1})
			}
			return
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			rec(n.Child(i), sets, inFunction)
		}
	}
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(language()); err != nil {
		panic(fmt.Sprintf("psparse: loading the PowerShell grammar: %v", err))
	}
	tree := p.Parse(src, nil)
	defer tree.Close()
	rec(tree.RootNode(), false, false)
	return out
}

// variableName is a variable's name as Variables reports it, or false for
// a drive-qualified one.
func variableName(text string) (string, bool) {
	name := strings.TrimPrefix(strings.TrimPrefix(text, "$"), "@")
	name = strings.TrimSuffix(strings.TrimPrefix(name, "{"), "}")
	lower := strings.ToLower(name)
	for _, scope := range []string{"script:", "global:", "local:", "private:"} {
		lower = strings.TrimPrefix(lower, scope)
	}
	if strings.Contains(lower, ":") {
		return "", false
	}
	return lower, true
}
