package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

// addSetup is the add-node flow's first screen: where the running
// cluster's answers come from. Either its answers file, or, when there is
// none, its database: the nodes Octopus knows are listed and become the
// existing nodes. Either way the admin then confirms the cluster's answers
// on the usual screens, and adds the node on the New node screen.
type addSetup struct {
	phase  addPhase
	cursor int             // on the choice
	path   textinput.Model // the answers file
	conn   steps.Answers   // the database connection being typed
	// connForm asks for the connection: the Database screen's own fields
	// and the password, typed into input.
	connForm *answersForm
	input    textinput.Model
	password string // the SQL login's password: masked, never saved
	running  bool   // the node listing is under way
	listed   []KnownNode
	problem  string
	// completion is what the last Tab in the file's input found.
	completion pathNote
}

type addPhase int

const (
	addChoose addPhase = iota
	addFile
	addConnect
	addListed
)

var addSources = []menuItem{
	{"From the cluster's answers file", "The file octoha export (or this wizard) wrote for the running cluster.", 0},
	{"From the cluster's database", "No answers file: octoha lists the nodes Octopus knows, and you confirm the rest.", 1},
}

// addFileLoadedMsg is the cluster's answers file, read.
type addFileLoadedMsg struct {
	file     *steps.File
	byOctoha bool
	err      error
}

// nodesListedMsg is the database's node listing.
type nodesListedMsg struct {
	nodes []KnownNode
	err   error
}

func newAddSetup(st styles) *addSetup {
	s := &addSetup{conn: steps.Defaults(), input: newInput(st)}
	s.path = newInput(st)
	s.path.Prompt = "File: "
	s.path.Placeholder = "octoha-answers.yaml"
	s.connForm = form.New(s.connRows, false, &s.input)
	return s
}

// passwordKey names the password field; it is no answer, so no finding
// names it.
const passwordKey = "password"

// connRows are the connection's answers, the Database screen's own
// fields: server, port, database, authentication and, for SQL
// authentication, the login and its password.
func (s *addSetup) connRows(a *steps.Answers) [][]field {
	want := map[string]bool{"database.server": true, "database.port": true, "database.name": true, "database.auth": true, "database.user": true}
	var rows [][]field
	for _, row := range databaseFields(a) {
		if want[row[0].Key()] {
			rows = append(rows, row)
		}
	}
	if a.Database.Auth == steps.AuthSQL {
		password := form.NewInput(passwordKey, "Password",
			func(*steps.Answers) string { return s.password },
			func(_ *steps.Answers, v string) error { s.password = v; return nil }).Masked()
		rows = append(rows, []field{password})
	}
	return rows
}

// connect shows the connection's fields, the first focused.
func (s *addSetup) connect() tea.Cmd {
	s.phase = addConnect
	s.connForm.Relayout(&s.conn, "")
	return s.connForm.Focus(&s.conn, 0)
}

func (s *addSetup) update(e *env, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case addFileLoadedMsg:
		if msg.err != nil {
			s.problem = msg.err.Error()
			return nil
		}
		e.post(beginAddMsg{answers: msg.file.Answers, file: msg.file, byOctoha: msg.byOctoha})
		return nil
	case nodesListedMsg:
		s.running = false
		switch {
		case msg.err != nil:
			s.problem = msg.err.Error()
		case len(msg.nodes) == 0:
			s.problem = "The database has no Octopus server nodes, so there is no cluster to add to: set up a new cluster instead."
		default:
			s.listed, s.phase, s.problem = msg.nodes, addListed, ""
		}
		return nil
	case completedMsg:
		if note, ok := msg.applyTo("setup", &s.path); ok && s.phase == addFile {
			s.completion = note
		}
		return nil
	case tea.PasteMsg:
		s.completion = pathNote{}
		return s.typed(e, msg)
	case tea.KeyPressMsg:
		if s.running {
			return nil
		}
		return s.key(e, msg)
	}
	return nil
}

func (s *addSetup) key(e *env, msg tea.KeyPressMsg) tea.Cmd {
	k := e.keys
	back := key.Matches(msg, backKey)
	s.completion = pathNote{}
	switch s.phase {
	case addChoose:
		switch {
		case back:
			e.post(setupMsg{open: false})
			return nil
		case key.Matches(msg, k.MenuNext):
			s.cursor = (s.cursor + 1) % len(addSources)
		case key.Matches(msg, k.MenuPrev):
			s.cursor = (s.cursor + len(addSources) - 1) % len(addSources)
		case key.Matches(msg, chooseKey) && s.cursor == 0:
			s.phase = addFile
			return s.path.Focus()
		case key.Matches(msg, chooseKey):
			return s.connect()
		}
		return nil
	case addFile:
		switch {
		case back:
			s.phase, s.problem = addChoose, ""
			s.path.Blur()
			return nil
		case key.Matches(msg, k.Complete):
			s.problem = ""
			return completeCmd("setup", &s.path, false)
		case key.Matches(msg, openKey):
			path := strings.TrimSpace(s.path.Value())
			if path == "" {
				path = s.path.Placeholder
			}
			return func() tea.Msg {
				f, byOctoha, err := readAnswers(path)
				return addFileLoadedMsg{file: f, byOctoha: byOctoha, err: err}
			}
		}
		return s.typed(e, msg)
	case addConnect:
		if back {
			s.phase, s.problem = addChoose, ""
			return nil
		}
		return s.typed(e, msg)
	case addListed:
		switch {
		case back:
			s.phase = addConnect
			return s.connForm.Open(&s.conn)
		case key.Matches(msg, confirmKey):
			e.post(beginAddMsg{answers: s.clusterFromListing(), listed: s.listed})
			return nil
		}
	}
	return nil
}

// typed passes a key or a paste to the file's input, or to the
// connection's form: Enter on its last field lists the nodes, and a
// typing error (a port that is not a number) shows as the problem.
func (s *addSetup) typed(e *env, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch s.phase {
	case addFile:
		s.path, cmd = s.path.Update(msg)
		s.problem = ""
	case addConnect:
		ev, cmd := s.connForm.Update(&s.conn, msg, &e.keys.form)
		if ev.Done {
			return s.list(e)
		}
		if ev.Edited != "" && ev.Typed && ev.Edited != passwordKey {
			s.problem = ""
			if err := s.connForm.PendingError(ev.Edited); err != nil {
				s.problem = err.Error()
			}
		}
		return cmd
	}
	return cmd
}

// list asks the database for its nodes, in a command.
func (s *addSetup) list(e *env) tea.Cmd {
	if e.opts.ListNodes == nil {
		s.problem = "This octoha cannot reach databases; add the node from the cluster's answers file instead."
		return nil
	}
	if s.problem != "" {
		return nil // a port that is not a number
	}
	s.running, s.problem = true, ""
	list, a, password := e.opts.ListNodes, cloneAnswers(s.conn), s.password
	return func() tea.Msg {
		nodes, err := list(context.Background(), a, password)
		return nodesListedMsg{nodes: nodes, err: err}
	}
}

// clusterFromListing is the defaults, the connection, and the listed
// nodes as the existing nodes; their hosts are still to be typed. The
// database exists, so the scripts must not create it.
func (s *addSetup) clusterFromListing() steps.Answers {
	a := cloneAnswers(s.conn)
	a.Database.Create = false
	a.Nodes = nil
	for _, k := range s.listed {
		if !leftOut(k) {
			a.Nodes = append(a.Nodes, steps.Node{Name: k.Name})
		}
	}
	return a
}

// leftOut is true for a row that does not become a node of the cluster
// without the admin's say: a stale row (a node gone or renamed) or a
// draining node. The admin deletes the row or undrains the node in
// Octopus and lists again.
func leftOut(k KnownNode) bool { return k.Stale || k.Draining }

func (s *addSetup) view(e *env, w, h int) []string {
	out := []string{e.st.title.Render("Add a node to an existing cluster"), ""}
	switch s.phase {
	case addChoose, addFile:
		out = append(out, menuView(&e.st, addSources, s.cursor, w)...)
		if s.phase == addFile {
			s.path.SetWidth(max(w-12, 10))
			out = append(out, "", "  "+s.path.View())
			out = append(out, s.completion.lines(&e.st, "  ", w)...)
		}
	case addConnect:
		out = append(out, s.connectView(e, w, h-len(out))...)
	case addListed:
		out = append(out, s.listedView(e, w)...)
	}
	if s.running {
		out = append(out, "", "  listing the nodes in "+s.conn.Database.Name+"…")
	}
	if s.problem != "" {
		out = append(out, "")
		for _, l := range wrap(s.problem, w-4) {
			out = append(out, "  "+e.st.err.Render(l))
		}
	}
	return out
}

func (s *addSetup) connectView(e *env, w, h int) []string {
	out := wrap("The cluster's database: octoha lists the nodes Octopus knows. The password is used for this listing only and never saved.", w)
	for i := range out {
		out[i] = e.st.dim.Render(out[i])
	}
	out = append(out, "")
	quiet := &form.Checks{Quiet: true} // a typing error shows as the problem
	return append(out, s.connForm.Rows(&e.st.form, &s.conn, quiet, w, max(h-len(out), 3))...)
}

func (s *addSetup) listedView(e *env, w int) []string {
	d := s.conn.Database
	out := []string{fmt.Sprintf("The nodes Octopus knows in %s on %s:", d.Name, d.Server), "",
		e.st.dim.Render("    " + pad("Name", 20) + pad("Last seen", 16) + "State")}
	for _, k := range s.listed {
		seen := "not recorded"
		if k.HasLastSeen {
			seen = age(k.SinceSeen) + " ago"
		}
		state := "not seen lately"
		switch {
		case k.Stale:
			state = "stale: left out"
		case k.Draining:
			state = "draining: left out"
		case k.Live:
			state = "running"
		case !k.HasLastSeen:
			state = "unknown"
		}
		out = append(out, "    "+pad(k.Name, 20)+pad(seen, 16)+state)
	}
	out = append(out, "")
	note := "These become the cluster's existing nodes. Next, confirm the cluster's answers; type each node's host on the Nodes screen."
	if slices.ContainsFunc(s.listed, leftOut) {
		note = "The rows not left out become the cluster's existing nodes. A stale row is a node gone or renamed: delete it in Configuration > Nodes; a draining node: undrain it there; then list again to count it. Next, confirm the cluster's answers; type each node's host on the Nodes screen."
	}
	for _, l := range wrap(note, w) {
		out = append(out, e.st.dim.Render(l))
	}
	return out
}

var (
	confirmKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm the cluster"))
	listNodesKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "list nodes"))
)

func (s *addSetup) keys(e *env) bindings {
	k := e.keys
	switch s.phase {
	case addFile:
		return bindings{withDesc(openKey, "open"), backKey, k.Quit}
	case addConnect:
		enter := k.Enter
		if s.connForm.OnLast() {
			enter = listNodesKey
		}
		return bindings{k.Next, k.Prev, enter, backKey, k.Quit}
	case addListed:
		return bindings{confirmKey, backKey, k.Quit}
	}
	return bindings{menuMoveKey, chooseKey, backKey, k.Quit}
}

// allKeys are every key the screen answers to, for the key list: none
// while the nodes are being listed.
func (s *addSetup) allKeys(e *env) []keyGroup {
	k := e.keys
	title := "Add a node: "
	switch {
	case s.running:
		return nil
	case s.phase == addFile:
		return []keyGroup{{title: title + "the answers file", keys: []key.Binding{openKey, k.Complete, withDesc(backKey, "back to the choice")}},
			typingGroup(&s.path)}
	case s.phase == addConnect:
		b := s.connForm.KeyBinds(&k.form)
		if s.connForm.OnLast() {
			b[2] = listNodesKey // Next, Prev, then Enter, which lists the nodes here
		}
		gs := []keyGroup{{title: title + "the database", keys: append(b, withDesc(backKey, "back to the choice"))}}
		if s.input.Focused() {
			gs = append(gs, typingGroup(&s.input))
		}
		return gs
	case s.phase == addListed:
		return []keyGroup{{title: title + "the nodes listed", keys: []key.Binding{confirmKey, withDesc(backKey, "back to the connection")}}}
	}
	return []keyGroup{{title: title + "where from", keys: []key.Binding{k.MenuNext, k.MenuPrev, chooseKey, withDesc(backKey, "back to the start menu")}}}
}

// age is a duration as an admin reads it: 12s, 4m, 3h, 2 days.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
