package tui

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// snapshot is every value reachable from v, written out: pointers are
// followed (each once), maps sorted by key, functions and channels noted
// only as nil or set, since their contents cannot be compared.
func snapshot(v any) string {
	var b strings.Builder
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 64 {
			b.WriteString("…")
			return
		}
		switch v.Kind() {
		case reflect.Invalid:
			b.WriteString("invalid")
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			if seen[v.Pointer()] {
				fmt.Fprintf(&b, "&%x", v.Pointer())
				return
			}
			seen[v.Pointer()] = true
			b.WriteString("&")
			walk(v.Elem(), depth+1)
		case reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			b.WriteString(v.Elem().Type().String() + ":")
			walk(v.Elem(), depth+1)
		case reflect.Struct:
			b.WriteString(v.Type().String() + "{")
			for i := 0; i < v.NumField(); i++ {
				b.WriteString(v.Type().Field(i).Name + ":")
				walk(v.Field(i), depth+1)
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Slice, reflect.Array:
			if v.Kind() == reflect.Slice && v.IsNil() {
				b.WriteString("nil")
				return
			}
			b.WriteString("[")
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), depth+1)
				b.WriteString(",")
			}
			b.WriteString("]")
		case reflect.Map:
			keys := v.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
			b.WriteString("map[")
			for _, k := range keys {
				walk(k, depth+1)
				b.WriteString(":")
				walk(v.MapIndex(k), depth+1)
				b.WriteString(",")
			}
			b.WriteString("]")
		case reflect.Func, reflect.Chan, reflect.UnsafePointer:
			fmt.Fprintf(&b, "%s(set %v)", v.Kind(), !v.IsNil())
		case reflect.String:
			fmt.Fprintf(&b, "%q", v.String())
		case reflect.Bool:
			fmt.Fprint(&b, v.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			fmt.Fprint(&b, v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			fmt.Fprint(&b, v.Uint())
		case reflect.Float32, reflect.Float64:
			fmt.Fprint(&b, v.Float())
		case reflect.Complex64, reflect.Complex128:
			fmt.Fprint(&b, v.Complex())
		}
	}
	walk(reflect.ValueOf(v), 0)
	return b.String()
}

// viewChangesNothing calls View twice on the screen showing: the model
// must be the same before and after, and the two frames equal.
func viewChangesNothing(t *testing.T, m *model, screenName string) {
	t.Helper()
	before := snapshot(m)
	first := m.View().Content
	second := m.View().Content
	if after := snapshot(m); after != before {
		t.Errorf("%s: View changed the model", screenName)
	}
	if first != second {
		t.Errorf("%s: two Views differ:\n%s\n---\n%s", screenName, first, second)
	}
	if first != m.render() {
		t.Errorf("%s: View shows a stale frame:\n%s", screenName, first)
	}
}

// Every screen's View is pure: the start screen and its questions, the
// add-node setup, every question screen, Review and its preview, Export,
// the quit question, and the New node screen.
func TestViewChangesNothing(t *testing.T) {
	m := newTestModel(t, 80, 24)
	viewChangesNothing(t, m, "start")
	press(t, m, "down", "down", "enter")
	viewChangesNothing(t, m, "start, asking for a file")
	press(t, m, "esc", "up", "enter")
	viewChangesNothing(t, m, "add-node setup")
	press(t, m, "enter")
	viewChangesNothing(t, m, "add-node setup, asking for a file")
	press(t, m, "esc", "down", "enter")
	viewChangesNothing(t, m, "add-node setup, the connection")
	press(t, m, "esc", "esc", "up", "enter")

	for i := range formSteps {
		viewChangesNothing(t, m, formSteps[i].name)
		if i == 3 {
			press(t, m, "ctrl+n")
			typeText(t, m, "OCTO1")
			viewChangesNothing(t, m, "Nodes with a node")
		}
		m.goTo(i + 1)
		m.Update(nil)
	}
	viewChangesNothing(t, m, "Review")
	press(t, m, "ctrl+c")
	viewChangesNothing(t, m, "the quit question")
	press(t, m, "c")

	m = newTestModel(t, 80, 24)
	fillCluster(t, m, false)
	press(t, m, "p")
	viewChangesNothing(t, m, "Review's preview")
	press(t, m, "esc", "enter")
	viewChangesNothing(t, m, "Export")

	m = newTestModel(t, 80, 24)
	addFromFile(t, m, false)
	m.goTo(newNodeIndex)
	m.Update(nil)
	typeText(t, m, "OCTO5")
	viewChangesNothing(t, m, "New node")
}
