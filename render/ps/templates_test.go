package ps

import (
	"testing"
	"text/template/parse"
)

// TestEveryPrintedValueIsQuoted walks every template's parse tree: an
// action that prints must end in one of the quoting functions, so no raw
// value can reach a script.
func TestEveryPrintedValueIsQuoted(t *testing.T) {
	checked := 0
	for _, tmpl := range templates().Templates() {
		if tmpl.Tree == nil {
			continue
		}
		walkNodes(tmpl.Tree.Root, func(n parse.Node) {
			action, ok := n.(*parse.ActionNode)
			if !ok || len(action.Pipe.Decl) > 0 {
				return
			}
			checked++
			cmds := action.Pipe.Cmds
			last := cmds[len(cmds)-1]
			ident, ok := last.Args[0].(*parse.IdentifierNode)
			if !ok || quotingFuncs[ident.Ident] == nil {
				t.Errorf("%s: %s prints a value without a quoting function (%v)", tmpl.Name(), action, quotingNames())
			}
		})
	}
	if checked < 50 {
		t.Fatalf("only %d printing actions found; the walk is broken", checked)
	}
}

func quotingNames() []string {
	var names []string
	for name := range quotingFuncs {
		names = append(names, name)
	}
	return names
}

func walkNodes(n parse.Node, visit func(parse.Node)) {
	if n == nil {
		return
	}
	visit(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkNodes(c, visit)
		}
	case *parse.IfNode:
		walkNodes(n.List, visit)
		if n.ElseList != nil {
			walkNodes(n.ElseList, visit)
		}
	case *parse.RangeNode:
		walkNodes(n.List, visit)
		if n.ElseList != nil {
			walkNodes(n.ElseList, visit)
		}
	case *parse.WithNode:
		walkNodes(n.List, visit)
		if n.ElseList != nil {
			walkNodes(n.ElseList, visit)
		}
	}
}

// TestCheckerCatchesRawValue proves the walk fails a raw action.
func TestCheckerCatchesRawValue(t *testing.T) {
	tree, err := parse.Parse("t", "x = {{.Name}} {{ps .Name}} {{.Name | ps}}", "{{", "}}", quotingFuncs, map[string]any{"ps": Quote})
	if err != nil {
		t.Fatal(err)
	}
	var raw, quoted int
	walkNodes(tree["t"].Root, func(n parse.Node) {
		if a, ok := n.(*parse.ActionNode); ok {
			last := a.Pipe.Cmds[len(a.Pipe.Cmds)-1]
			if id, ok := last.Args[0].(*parse.IdentifierNode); ok && quotingFuncs[id.Ident] != nil {
				quoted++
			} else {
				raw++
			}
		}
	})
	if raw != 1 || quoted != 2 {
		t.Fatalf("raw %d quoted %d, want 1 and 2", raw, quoted)
	}
}
