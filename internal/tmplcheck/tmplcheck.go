// Package tmplcheck holds the rule every template that emits a file keeps:
// an action that prints ends in a quoting function, so no raw value can
// reach a script or a document. The PowerShell and the Markdown tests walk
// their templates with it.
package tmplcheck

import (
	"fmt"
	"slices"
	"text/template"
	"text/template/parse"
)

// Check walks the parse tree of each template and returns how many actions
// print, and one line per action that prints without ending in one of the
// quoting functions ("CHECKLIST.md.tmpl:12:4: {{.Name}}"). An action that
// only declares or assigns a variable prints nothing and is not counted;
// conditions of if, range and with print nothing either, only the actions
// in their bodies do. A {{template}} call prints what the called template
// prints: pass that template too (t.Templates() holds every one of a set).
// The lines come sorted, so a failing test reads the same every run.
func Check(quoting template.FuncMap, templates ...*template.Template) (printed int, unquoted []string) {
	for _, tmpl := range templates {
		if tmpl == nil || tmpl.Tree == nil {
			continue
		}
		walk(tmpl.Tree.Root, func(action *parse.ActionNode) {
			if len(action.Pipe.Decl) > 0 {
				return
			}
			printed++
			cmds := action.Pipe.Cmds
			last := cmds[len(cmds)-1]
			if ident, ok := last.Args[0].(*parse.IdentifierNode); ok && quoting[ident.Ident] != nil {
				return
			}
			where, _ := tmpl.Tree.ErrorContext(action)
			unquoted = append(unquoted, fmt.Sprintf("%s: %s", where, action))
		})
	}
	slices.Sort(unquoted)
	return printed, unquoted
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
