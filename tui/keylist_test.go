package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

// keyScreen is a screen to try the key list on: how to get there, and one
// key that does what the list says, with what it does.
type keyScreen struct {
	name  string
	open  func(t *testing.T) *model
	key   string
	works func(m *model) bool
}

// at60x20 is a new wizard in the smallest window it lays out in.
func at60x20(t *testing.T) *model { return newTestModel(t, 60, 20) }

// cleared empties the focused text field, so that ? opens the list.
func cleared(t *testing.T, m *model) *model {
	t.Helper()
	press(t, m, "end", "ctrl+u")
	return m
}

// onStep is a new cluster's step i with the cluster's answers, the focus
// on the field at key ("" for the first), emptied when typed.
func onStep(t *testing.T, i int, fieldKey string) *model {
	m := at60x20(t)
	m.newCluster()
	m.answers = wantCluster()
	m.recheck()
	m.goTo(i)
	if fieldKey != "" {
		m.formOf(i).Refocus(&m.answers, fieldKey)
	}
	m.frame = m.render()
	return cleared(t, m)
}

// firstChoice is the key of step i's first Select field.
func firstChoice(t *testing.T, i int) string {
	a := wantCluster()
	for _, fl := range formSteps[i].newForm(new(textinput.Model)).Fields(&a) {
		if _, ok := fl.(*form.Select[steps.Answers]); ok {
			return fl.Key()
		}
	}
	return ""
}

// keyScreens are every kind of screen: the start menu and its file
// input, each question step (a text field and a choice), the Nodes grid,
// Review and its preview, Export, the add-node setup's phases, the save
// question and the quit question.
func keyScreens(t *testing.T) []keyScreen {
	out := []keyScreen{
		{"start menu", at60x20, "down", func(m *model) bool { return m.start.cursor == 1 }},
		{"open a file", func(t *testing.T) *model { m := at60x20(t); press(t, m, "down", "down", "enter"); return m },
			"esc", func(m *model) bool { return !m.start.asking }},
	}
	for i, s := range formSteps {
		if s.grid {
			continue // the Nodes grid, below
		}
		out = append(out, keyScreen{s.name + " text field", func(t *testing.T) *model { return onStep(t, i, "") },
			"tab", func(m *model) bool { return m.formOf(i).FocusRow() == 1 }})
		if c := firstChoice(t, i); c != "" {
			out = append(out, keyScreen{s.name + " choice", func(t *testing.T) *model { return onStep(t, i, c) },
				"space", func(m *model) bool { return marshal(t, m.answers) != marshal(t, wantCluster()) }})
		}
	}
	out = append(out,
		keyScreen{"empty Nodes grid", func(t *testing.T) *model { m := at60x20(t); m.newCluster(); m.goTo(nodesIndex); return m },
			"ctrl+n", func(m *model) bool { return len(m.answers.Nodes) == 1 }},
		keyScreen{"Nodes grid", func(t *testing.T) *model { return onStep(t, nodesIndex, "") },
			"ctrl+x", func(m *model) bool { return len(m.answers.Nodes) == 2 }},
		keyScreen{"New node", func(t *testing.T) *model {
			m := at60x20(t)
			addFromFile(t, m, false)
			return m
		}, "esc", func(m *model) bool { return m.stepIdx == newNodeIndex-1 }},
		keyScreen{"Review", onReview, "p", func(m *model) bool { return m.review.previewing }},
		keyScreen{"Review preview", func(t *testing.T) *model { m := onReview(t); press(t, m, "p"); return m },
			"q", func(m *model) bool { return !m.review.previewing }},
		keyScreen{"Export", func(t *testing.T) *model { m := onReview(t); press(t, m, "enter"); return cleared(t, m) },
			"esc", func(m *model) bool { return m.stepIdx == reviewIndex }},
		keyScreen{"add-node choice", func(t *testing.T) *model { m := at60x20(t); press(t, m, "down", "enter"); return m },
			"down", func(m *model) bool { return m.setup.cursor == 1 }},
		keyScreen{"add-node file", func(t *testing.T) *model { m := at60x20(t); press(t, m, "down", "enter", "enter"); return m },
			"esc", func(m *model) bool { return m.setup.phase == addChoose }},
		keyScreen{"add-node database", func(t *testing.T) *model {
			m := at60x20(t)
			press(t, m, "down", "enter", "down", "enter")
			return m
		}, "tab", func(m *model) bool { return !m.setup.connForm.OnLast() && m.setup.connForm.FocusRow() == 1 }},
		keyScreen{"add-node listed", func(t *testing.T) *model {
			m := at60x20(t)
			fake := &fakeNodes{}
			m.opts.ListNodes = fake.list
			press(t, m, "down", "enter", "down", "enter")
			typeText(t, m, "sql01.corp.local")
			press(t, m, "tab", "tab", "tab", "enter")
			return m
		}, "esc", func(m *model) bool { return m.setup.phase == addConnect }},
		keyScreen{"save question", onClobber, "n", func(m *model) bool { return m.path == "octoha-answers-2.yaml" }},
		keyScreen{"quit question", func(t *testing.T) *model { m := onStep(t, 0, ""); press(t, m, "ctrl+c"); return m },
			"c", func(m *model) bool { return !m.quitting }},
	)
	return out
}

// onReview is Review of the cluster's answers, with its files.
func onReview(t *testing.T) *model {
	m := at60x20(t)
	m.newCluster()
	m.answers = wantCluster()
	m.recheck()
	m.goTo(reviewIndex)
	m.frame = m.render()
	if len(m.review.files) == 0 {
		t.Fatal("Review lists no files")
	}
	return m
}

// onClobber is the question before saving over a file octoha did not
// write.
func onClobber(t *testing.T) *model {
	t.Chdir(t.TempDir())
	os.WriteFile(DefaultAnswersPath, []byte("# my own notes\nversion: 1\n"), 0o600)
	m := openAndFinishStep(t, filepath.Join(examples, "3-node-listening-iis-arr.yaml"))
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if m.clobber == nil {
		t.Fatal("no save question")
	}
	return m
}

// openList opens the key list and gathers its text by scrolling to its
// end, with every frame on the way.
func openList(t *testing.T, m *model) (text string, frames []string) {
	t.Helper()
	press(t, m, "?")
	if !m.keysOpen {
		t.Fatalf("? did not open the key list:\n%s", screen(m))
	}
	var body []string
	for range 50 {
		f := screen(m)
		frames = append(frames, f)
		// The list's own lines: under the header, its title and a blank
		// line; above the status and help lines, the line saying where the
		// list is scrolled to, if it is.
		list := lines(f)[4 : len(lines(f))-2]
		if n := len(list); n > 0 && strings.HasPrefix(list[n-1], "lines ") {
			list = list[:n-1]
		}
		body = append(body, list...)
		press(t, m, "pgdown")
		if screen(m) == f {
			break
		}
	}
	return strings.Join(strings.Fields(strings.Join(body, " ")), " "), frames
}

// TestKeyListShowsEveryKey: on every kind of screen, ? lists every key
// the screen's Update answers to, each with what it does, fitting 60x20
// (scrolled when long, nothing lost); ? or esc closes it and the screen
// is exactly as it was.
func TestKeyListShowsEveryKey(t *testing.T) {
	for _, s := range keyScreens(t) {
		t.Run(s.name, func(t *testing.T) {
			m := s.open(t)
			before, plain := m.render(), screen(m)
			if m.typingText() {
				t.Fatalf("the screen's field holds text:\n%s", plain)
			}
			if !strings.Contains(lines(plain)[len(lines(plain))-1], "? all keys") {
				t.Errorf("the help line does not offer ?:\n%s", plain)
			}
			groups := m.allKeys()
			text, frames := openList(t, m)
			for _, f := range frames {
				for i, l := range lines(f) {
					if form.Width(l) > 60 || strings.Contains(l, "…") && i > 1 && i < len(lines(f))-2 {
						t.Errorf("line %d is cut or wider than 60: %q", i, l)
					}
				}
				if len(lines(f)) != 20 {
					t.Errorf("the frame has %d lines", len(lines(f)))
				}
			}
			for _, g := range groups {
				for _, b := range g.keys {
					h := b.Help()
					if !b.Enabled() || h.Key == "" || h.Desc == "" {
						t.Errorf("a binding without help: %v", b.Keys())
					}
					if want := h.Key + " " + strings.Join(strings.Fields(h.Desc), " "); !strings.Contains(text, want) {
						t.Errorf("the list lacks %q:\n%s", want, strings.Join(frames, "\n----\n"))
					}
				}
			}
			for _, closeKey := range []string{"?", "esc"} {
				press(t, m, closeKey)
				if got := m.render(); m.keysOpen || got != before {
					t.Fatalf("%s did not close the list back to the screen as it was:\n%s\nwant:\n%s", closeKey, ansi.Strip(got), plain)
				}
				press(t, m, "?", "down")
			}
			press(t, m, "esc")

			// One key does what the list says.
			if !listed(groups, s.key) {
				t.Fatalf("%s is not listed", s.key)
			}
			press(t, m, s.key)
			if !s.works(m) {
				t.Errorf("%s did not do what it is listed for:\n%s", s.key, screen(m))
			}
		})
	}
}

// TestKeyListMissesNoKey: every key the wizard, its text inputs and its
// viewports know, pressed on each kind of screen (a fresh one each time):
// any that changes what shows, the answers, or quits, is on the list.
// Characters typed into a text field are typing, not keys.
func TestKeyListMissesNoKey(t *testing.T) {
	universe := allKeyNames()
	screens := keyScreens(t)
	// The text fields again, holding text with the cursor inside it, so
	// that the editing keys have something to do.
	for _, name := range []string{"open a file", "Octopus text field", "Export", "add-node file"} {
		for _, s := range screens {
			if s.name == name {
				open := s.open
				screens = append(screens, keyScreen{name: name + " holding text", open: func(t *testing.T) *model {
					m := open(t)
					typeText(t, m, "ab cd ef")
					press(t, m, "left", "left", "left")
					return m
				}})
			}
		}
	}
	for _, s := range screens {
		t.Run(s.name, func(t *testing.T) {
			groups := s.open(t).allKeys()
			typing := slices.ContainsFunc(groups, func(g keyGroup) bool { return g.typing })
			for _, k := range universe {
				if typing && (len([]rune(k)) == 1 || k == "space") {
					continue
				}
				m := s.open(t)
				before, answers := m.render(), marshal(t, m.answers)
				quit := pressQuits(m, k)
				if (quit || m.render() != before || marshal(t, m.answers) != answers) && !listed(groups, k) {
					t.Errorf("%s does something (quits: %v) but is not on the list:\n%s", k, quit, screen(m))
				}
			}
		})
	}
}

// TestQuestionMarkTypesInAFieldWithText: in a text field holding text, ?
// is typed; the help line offers ? only where it opens the list.
func TestQuestionMarkTypesInAFieldWithText(t *testing.T) {
	m := onStep(t, 2, "") // Storage: the share's path
	typeText(t, m, `\\fs01\Octopus`)
	if strings.Contains(screen(m), "? all keys") {
		t.Errorf("the help line offers ? in a field with text:\n%s", screen(m))
	}
	typeText(t, m, "?")
	if m.keysOpen || m.answers.Storage.Root != `\\fs01\Octopus?` {
		t.Errorf("? did not land in the answer: %q (list open %v)", m.answers.Storage.Root, m.keysOpen)
	}
	for _, name := range []string{"open a file", "Export", "add-node file"} {
		for _, s := range keyScreens(t) {
			if s.name != name {
				continue
			}
			m := s.open(t)
			typeText(t, m, "a?")
			if m.keysOpen || !strings.Contains(screen(m), "a?") {
				t.Errorf("%s: ? did not land in the field:\n%s", name, screen(m))
			}
		}
	}
}

// allKeyNames are the keys of every binding the wizard, its forms, its
// text inputs and its viewports have, and a few others.
func allKeyNames() []string {
	var names []string
	add := func(v any) {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if b, ok := rv.Field(i).Interface().(key.Binding); ok {
				names = append(names, b.Keys()...)
			}
		}
	}
	k := newKeyMap()
	rv := reflect.ValueOf(k)
	for i := range rv.NumField() {
		if rv.Type().Field(i).IsExported() {
			if b, ok := rv.Field(i).Interface().(key.Binding); ok {
				names = append(names, b.Keys()...)
			}
		}
	}
	add(k.form)
	add(textinput.DefaultKeyMap())
	add(viewport.DefaultKeyMap())
	for _, b := range []key.Binding{overwriteKey, elsewhereKey, notNowKey, closePreviewKey} {
		names = append(names, b.Keys()...)
	}
	names = append(names, "a", "x", "7", "home", "end", "delete", "f1", "ctrl+l", "alt+enter")
	slices.Sort(names)
	return slices.Compact(names)
}

// listed reports whether some listed binding answers to the key k.
func listed(groups []keyGroup, k string) bool {
	for _, g := range groups {
		for _, b := range g.keys {
			if slices.Contains(b.Keys(), k) {
				return true
			}
		}
	}
	return false
}

// pressQuits presses the key named k as a terminal sends it, runs what it
// returns, and reports whether the wizard quit.
func pressQuits(m *model, k string) bool {
	msg := namedKey(k)
	_, cmd := m.Update(msg)
	return drivesToQuit(m, cmd, 0)
}

// drivesToQuit is drive, reporting a quit.
func drivesToQuit(m *model, cmd tea.Cmd, depth int) bool {
	if cmd == nil || depth > 8 {
		return false
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		quit := false
		for _, c := range msg {
			quit = drivesToQuit(m, c, depth+1) || quit
		}
		return quit
	default:
		_, next := m.Update(msg)
		return drivesToQuit(m, next, depth+1)
	}
	return false
}

// namedKey is the key press a terminal sends for a key named as
// key.Binding names it: "ctrl+alt+left", "shift+tab", "?".
func namedKey(name string) tea.KeyPressMsg {
	var mod tea.KeyMod
	rest := name
	for _, p := range []struct {
		prefix string
		mod    tea.KeyMod
	}{{"ctrl+", tea.ModCtrl}, {"alt+", tea.ModAlt}, {"shift+", tea.ModShift}} {
		if r, ok := strings.CutPrefix(rest, p.prefix); ok {
			mod, rest = mod|p.mod, r
		}
	}
	codes := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace, "backspace": tea.KeyBackspace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete,
		"f1": tea.KeyF1,
	}
	if c, ok := codes[rest]; ok {
		msg := tea.KeyPressMsg{Code: c, Mod: mod}
		if c == tea.KeySpace && mod == 0 {
			msg.Text = " "
		}
		return msg
	}
	r := []rune(rest)[0]
	if mod&^tea.ModShift != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: rest}
}

// TestNamedKeyIsTheKey: the key presses the tests send are the ones the
// bindings match, by the name they match on.
func TestNamedKeyIsTheKey(t *testing.T) {
	for _, k := range allKeyNames() {
		if got := namedKey(k).String(); got != k {
			t.Errorf("%s is sent as %s", k, got)
		}
	}
}

func lines(s string) []string { return strings.Split(s, "\n") }

// TestQuestionMarkOpensTheListOverADefault: a field that only holds a
// default (the Octopus version a new cluster starts with) lends ? to the
// list, so ? works on every form screen; once a key has changed the
// field's text ? is typed; moving away and back gives ? back to the list;
// f1 opens the list even while typing.
func TestQuestionMarkOpensTheListOverADefault(t *testing.T) {
	m := newTestModel(t, 60, 20)
	press(t, m, "enter") // a new cluster: the version field holds its default
	if m.onStart || m.input.Value() == "" {
		t.Fatalf("not on a filled first field:\n%s", screen(m))
	}
	before := screen(m)
	if !strings.Contains(before, "? all keys") {
		t.Errorf("the help line does not offer ? over a default:\n%s", before)
	}
	typeText(t, m, "?")
	if !m.keysOpen {
		t.Fatalf("? over a default did not open the list:\n%s", screen(m))
	}
	press(t, m, "esc")
	if m.keysOpen || screen(m) != before {
		t.Fatalf("esc did not close the list back:\n%s", screen(m))
	}
	version := m.answers.Octopus.Version
	press(t, m, "backspace")
	typeText(t, m, "9?")
	if m.keysOpen || m.answers.Octopus.Version != version[:len(version)-1]+"9?" {
		t.Errorf("? typed after an edit did not land: %q (list open %v)", m.answers.Octopus.Version, m.keysOpen)
	}
	if strings.Contains(screen(m), "? all keys") {
		t.Errorf("the help line offers ? while typing:\n%s", screen(m))
	}
	press(t, m, "f1")
	if !m.keysOpen || !strings.Contains(screen(m), "f1") {
		t.Fatalf("f1 did not open the list while typing:\n%s", screen(m))
	}
	press(t, m, "f1")
	press(t, m, "tab", "shift+tab") // away and back: ? is the list's again
	typeText(t, m, "?")
	if !m.keysOpen {
		t.Errorf("? did not open the list after the focus came back:\n%s", screen(m))
	}
}

// TestNodesHelpLineOffersCtrlN: the help line is cut from its end, so the
// Nodes grid's own keys come before the keys every screen has: ctrl+n is
// on it even at 60 columns.
func TestNodesHelpLineOffersCtrlN(t *testing.T) {
	for _, w := range []int{60, 80} {
		m := openAnswers(t, wantCluster())
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		m.goTo(nodesIndex)
		lines := strings.Split(screen(m), "\n")
		if help := lines[len(lines)-1]; !strings.Contains(help, "ctrl+n add node") {
			t.Errorf("at %d columns the help line does not offer ctrl+n: %q", w, help)
		}
	}
}
