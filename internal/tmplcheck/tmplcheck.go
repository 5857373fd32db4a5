// Package tmplcheck holds the rule every template that emits a file keeps:
// an action that prints ends in a quoting function, so no raw value can
// reach a script. render/ps's tests walk its templates with it; the
// Markdown files and the balancer configurations are written without
// templates, and this package goes when the scripts are too.
package tmplcheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// Action is one action that prints.
type Action struct {
	// File is the template file it was parsed from (for ParseFS, the
	// file's base name), Line its line there, and Where "file:line:col".
	File  string
	Line  int
	Where string
	// Func is the function its pipeline ends in, "" when it ends in a
	// field, a variable or a parenthesised pipeline.
	Func string
	// Text is the action as written, {{...}}.
	Text string
}

// Actions walks the parse tree of each template and returns every action
// that prints, in source order per template. An action that only declares
// or assigns a variable prints nothing and is left out; so are the
// conditions of if, range and with (only the actions in their bodies
// print). A {{template}} call prints what the called template prints: pass
// that template too (t.Templates() holds every one of a set).
func Actions(templates ...*template.Template) []Action {
	var out []Action
	for _, tmpl := range templates {
		if tmpl == nil || tmpl.Tree == nil {
			continue
		}
		walk(tmpl.Tree.Root, func(action *parse.ActionNode) {
			if len(action.Pipe.Decl) > 0 {
				return
			}
			cmds := action.Pipe.Cmds
			a := Action{File: tmpl.Tree.ParseName, Text: action.String()}
			if ident, ok := cmds[len(cmds)-1].Args[0].(*parse.IdentifierNode); ok {
				a.Func = ident.Ident
			}
			a.Where, _ = tmpl.Tree.ErrorContext(action)
			// Where is "file:line:col".
			if parts := strings.Split(a.Where, ":"); len(parts) >= 3 {
				a.Line, _ = strconv.Atoi(parts[len(parts)-2])
			}
			out = append(out, a)
		})
	}
	return out
}

// Check returns how many actions of the templates print, and one line per
// action that prints without ending in one of the quoting functions
// ("common.ps1.tmpl:12:4: {{.Name}}"). The lines come sorted, so a failing
// test reads the same every run.
func Check(quoting template.FuncMap, templates ...*template.Template) (printed int, unquoted []string) {
	actions := Actions(templates...)
	for _, a := range actions {
		if a.Func == "" || quoting[a.Func] == nil {
			unquoted = append(unquoted, fmt.Sprintf("%s: %s", a.Where, a.Text))
		}
	}
	slices.Sort(unquoted)
	return len(actions), unquoted
}

func walk(n parse.Node, visit func(*parse.ActionNode)) {
	switch n := n.(type) {
	case *parse.ActionNode:
		visit(n)
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, visit)
		}
	case *parse.IfNode:
		walk(n.List, visit)
		walk(n.ElseList, visit)
	case *parse.RangeNode:
		walk(n.List, visit)
		walk(n.ElseList, visit)
	case *parse.WithNode:
		walk(n.List, visit)
		walk(n.ElseList, visit)
	}
}
