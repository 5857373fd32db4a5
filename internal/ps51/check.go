package ps51

import (
	"fmt"
	"sort"
	"strings"
)

// The rules, as findings name them.
const (
	RuleCmdlet   = "cmdlet"   // a command or parameter Windows PowerShell 5.1 lacks, or a value its enum lacks
	RuleDotNet   = "dotnet"   // a .NET type or member not on the allow-list
	RuleStrict   = "strict"   // a variable read before it is assigned on every path
	RuleFunction = "function" // a call of the script's own function it would refuse
	RulePS7      = "ps7"      // PowerShell 6 or 7 syntax
	RuleParse    = "parse"    // PowerShell's parser refused the script
)

// Finding is one thing a script does that Windows PowerShell 5.1 would
// refuse or fail on.
type Finding struct {
	File         string
	Line, Column int
	Rule         string
	Message      string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: [%s] %s", f.File, f.Line, f.Column, f.Rule, f.Message)
}

// Check runs every rule over every file.
func Check(files []*File, t *Tables) []Finding {
	var out []Finding
	for _, f := range files {
		c := &checker{f: f, t: t}
		c.run()
		out = append(out, c.findings...)
	}
	return out
}

type checker struct {
	f         *File
	t         *Tables
	findings  []Finding
	functions map[string]*Node // the script's own functions, by lower-case name
	// keys are the keys of the script's own hashtable literals: a member of
	// that name may be one of them.
	keys map[string]bool
	// varTypes are the types variableType found, by variable node.
	varTypes map[*Node]*DotNetType
}

func (c *checker) report(n *Node, rule, format string, args ...any) {
	c.findings = append(c.findings, Finding{File: c.f.Name, Line: n.Line, Column: n.Column, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) run() {
	for _, e := range c.f.Errors {
		c.findings = append(c.findings, Finding{File: c.f.Name, Rule: RuleParse, Message: e})
	}
	if len(c.f.Errors) > 0 {
		return
	}
	c.functions = map[string]*Node{}
	c.keys = map[string]bool{}
	for _, n := range c.f.Nodes {
		switch n.Type {
		case "FunctionDefinitionAst":
			c.functions[strings.ToLower(n.Name)] = n
		case "HashtableAst":
			for _, k := range n.KidsIn("KeyValuePairs.Item1") {
				if k.Type == "StringConstantExpressionAst" {
					c.keys[strings.ToLower(k.Value)] = true
				}
			}
		}
	}
	c.ps7()
	c.commands()
	c.dotnet()
	c.strict()
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// elements are a command's elements in source order.
func elements(cmd *Node) []*Node {
	els := cmd.KidsIn("CommandElements")
	sort.SliceStable(els, func(i, j int) bool { return els[i].Start < els[j].Start })
	return els
}
