package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// DefaultOutDir is the export folder the Export screen offers.
const DefaultOutDir = "octoha-out"

// AnswersFileName is the copy of the answers saved beside the exported
// files, so the folder says what it was made from.
const AnswersFileName = render.AnswersFile

// exportScreen asks for the output folder and writes through export.Write,
// the same code `octoha export` runs.
type exportScreen struct {
	st        *styles
	job       exportJob
	input     textinput.Model
	running   bool
	overwrite bool // files exist; ctrl+o writes over them
	// askLive is the open question "a live check found errors: write
	// anyway, or go back?"; Enter writes, Esc goes back.
	askLive bool
	// ignore are the finding IDs the admin chose to write anyway over
	// (the new node's host not resolving from here: see unresolved).
	ignore []string
	done   bool
	result exportedMsg
	// completion is what the last Tab in the folder's input found.
	completion pathNote
}

// exportedMsg is what an export did.
type exportedMsg struct {
	dir          string
	res          export.Result
	err          error
	overwritable bool
	// change is an add-node export: the answers are among res.Written.
	change bool
	// unresolved is set when the change's only errors are the new host not
	// resolving from this machine (dns.host): often true before its DNS
	// record exists, so the admin may write anyway, as add-node's
	// --ignore dns.host does.
	unresolved bool
}

// hostOnly reports whether every error among fs is the new host not
// resolving from this machine.
func hostOnly(fs validate.Findings) bool {
	n := 0
	for _, f := range fs {
		if f.Severity != validate.Error {
			continue
		}
		if f.ID != export.IDHostResolves {
			return false
		}
		n++
	}
	return n > 0
}

func newExportScreen(st styles) exportScreen {
	in := newInput(st)
	in.Prompt = "Output folder: "
	in.SetValue(DefaultOutDir)
	return exportScreen{input: in}
}

// exportJob is what the Export screen writes, handed over by the wizard
// as it opens.
type exportJob struct {
	answers steps.Answers // a copy: the write runs in its own goroutine
	flow    flow
	// source is the answers file they were read from, which the
	// answers copy never writes over.
	source string
	// changeErrors is true when the New node screen has open errors.
	changeErrors bool
	// liveErrors are the live checks' open errors: they do not stop an
	// export (the network seen from here is not the nodes'), but the
	// admin says whether to write anyway.
	liveErrors validate.Findings
}

// exportJob is what exporting now writes.
func (m *model) exportJob() exportJob {
	var live validate.Findings
	for _, f := range m.liveOpen {
		if f.Severity == validate.Error {
			live = append(live, f)
		}
	}
	return exportJob{answers: cloneAnswers(m.answers), flow: m.flow, source: m.path, changeErrors: m.hasOpenErrors(newNodeIndex), liveErrors: live}
}

func (e *exportScreen) open(job exportJob) tea.Cmd {
	e.job = job
	e.done, e.running, e.overwrite, e.askLive, e.ignore = false, false, false, false, nil
	e.result = exportedMsg{}
	if dir := job.flow.outDir(); dir != "" {
		e.input.SetValue(dir) // a new folder for each change
	}
	e.input.CursorEnd()
	return e.input.Focus()
}

// write exports in a command: rendering and the disk stay off the update
// loop. The answers copy is part of the same all-or-nothing set.
func (e *exportScreen) write(force bool) tea.Cmd {
	dir := strings.TrimSpace(e.input.Value())
	if dir == "" {
		dir = DefaultOutDir
	}
	e.running = true
	a, source := e.job.answers, e.job.source
	if add, ok := e.job.flow.(*addFlow); ok {
		return e.writeChange(add, a, dir, force)
	}
	return func() tea.Msg {
		msg := exportedMsg{dir: dir}
		msg.res, msg.err = export.Write(a, dir, export.Options{Force: force, Source: source})
		msg.overwritable = errors.Is(msg.err, export.ErrExists)
		return msg
	}
}

// writeChange writes the added node's change through export.AddNode, the
// same code `octoha add-node` runs; it writes the grown answers itself. A
// name the database lists is refused here, as on the New node screen.
func (e *exportScreen) writeChange(add *addFlow, a steps.Answers, dir string, force bool) tea.Cmd {
	node, ignore := add.node, e.ignore
	if e.job.changeErrors {
		return func() tea.Msg { return exportedMsg{dir: dir, err: export.ErrInvalid} }
	}
	return func() tea.Msg {
		msg := exportedMsg{dir: dir, change: true}
		msg.res, msg.err = export.AddNode(context.Background(), a, export.AddNodeOptions{Node: node, Dir: dir, Force: force, Ignore: ignore})
		msg.overwritable = errors.Is(msg.err, export.ErrExists)
		msg.unresolved = errors.Is(msg.err, export.ErrInvalid) && hostOnly(msg.res.Findings)
		return msg
	}
}

// finished shows what an export did, and reports whether it wrote.
func (e *exportScreen) finished(msg exportedMsg) bool {
	e.running = false
	e.result = msg
	e.overwrite = msg.overwritable
	e.done = msg.err == nil
	return e.done
}

func (e *exportScreen) update(en *env, msg tea.Msg) tea.Cmd {
	if e.running {
		return nil
	}
	switch msg := msg.(type) {
	case completedMsg:
		before := e.input.Value()
		if note, ok := msg.applyTo("export", &e.input); ok {
			e.completion = note
			if e.input.Value() != before { // another folder
				e.overwrite, e.done, e.result = false, false, exportedMsg{}
			}
		}
		return nil
	case tea.PasteMsg:
		e.completion = pathNote{}
		var cmd tea.Cmd
		e.input, cmd = e.input.Update(msg)
		return cmd
	case tea.KeyPressMsg:
		e.completion = pathNote{}
		before := e.input.Value()
		var cmd tea.Cmd
		switch {
		case key.Matches(msg, en.keys.Back):
			en.post(backMsg{})
			return nil
		case e.done && key.Matches(msg, en.keys.Enter):
			return tea.Quit
		case key.Matches(msg, en.keys.Enter) && len(e.job.liveErrors) > 0 && !e.askLive:
			e.askLive = true
			return nil
		case key.Matches(msg, en.keys.Enter) && e.result.unresolved:
			e.ignore = []string{export.IDHostResolves}
			return e.write(false)
		case key.Matches(msg, en.keys.Enter):
			e.askLive = false
			return e.write(false)
		case e.overwrite && key.Matches(msg, en.keys.Overwrite):
			return e.write(true)
		case key.Matches(msg, en.keys.Complete):
			cmd = completeCmd("export", &e.input, true)
		default:
			e.input, cmd = e.input.Update(msg)
		}
		if e.input.Value() != before {
			e.overwrite, e.done, e.result = false, false, exportedMsg{}
		}
		return cmd
	}
	return nil
}

func (e *exportScreen) view(w, h int) []string {
	out := []string{e.st.title.Render("Export")}
	for _, l := range wrap("Writes every script and config into the folder, with a copy of the answers.", w) {
		out = append(out, e.st.dim.Render(l))
	}
	out = append(out, "")
	e.input.SetWidth(max(w-20, 10))
	out = append(out, "  "+e.input.View())
	out = append(out, e.completion.lines(e.st, "  ", w)...)
	out = append(out, "")
	r := e.result
	switch {
	case e.askLive:
		text := fmt.Sprintf("The live checks found %d open error(s), listed below and on Review. Enter writes the files anyway; Esc goes back.",
			len(e.job.liveErrors))
		for _, l := range wrap(text, w-4) {
			out = append(out, "  "+e.st.warn.Render(l))
		}
		out = append(out, "")
		out = append(out, e.st.form.FindingLines(e.job.liveErrors, "  ", w)...)
	case e.running:
		out = append(out, "  writing…")
	case e.done:
		done := "Done. Copy the folder to the nodes and follow CHECKLIST.md."
		if r.change {
			done = "Done. Follow the folder's CHECKLIST.md; its " + render.AnswersFile + " is the cluster from now on."
		}
		doneLines := wrap(done, w-2)
		out = append(out, hanging("  ", fmt.Sprintf("Wrote %d files into %s:", len(r.res.Written), r.dir), w)...)
		out = append(out, e.written(max(h-len(out)-1-len(doneLines), 1))...)
		out = append(out, "")
		for _, l := range doneLines {
			out = append(out, "  "+e.st.accent.Render(l))
		}
	case r.err != nil:
		text := r.err.Error()
		switch {
		case r.unresolved:
			text = "Nothing was written. If the new host's DNS record is not there yet, Enter writes the change anyway (as add-node --ignore " + export.IDHostResolves + " does); add the record before the join script runs. Esc goes back."
		case errors.Is(r.err, export.ErrInvalid):
			text = "The answers still have errors, so nothing was written. Esc goes back to Review, which lists them."
		case r.overwritable:
			text = "Nothing was written: " + existing(r.err) + ". Press ctrl+o to overwrite, or choose another folder."
		default:
			text = "Nothing was written: " + text
		}
		for _, l := range wrap(text, w-4) {
			out = append(out, "  "+e.st.err.Render(l))
		}
	}
	if r.res.Findings != nil && !e.done {
		out = append(out, "")
		out = append(out, e.st.form.FindingLines(r.res.Findings, "  ", w)...)
	}
	return out
}

// written lists the files the export wrote, by their path in the folder,
// in at most n lines: the rest counted on the last.
func (e *exportScreen) written(n int) []string {
	paths := e.result.res.Written
	var out []string
	for i, p := range paths {
		if len(out) == n-1 && i < len(paths)-1 {
			return append(out, e.st.dim.Render(fmt.Sprintf("    and %d more", len(paths)-i)))
		}
		if rel, err := filepath.Rel(e.result.dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = filepath.ToSlash(rel)
		}
		out = append(out, "    "+p)
	}
	return out
}

// existing says which files an export found already there: the first,
// and how many more.
func existing(err error) string {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	if len(errs) < 2 {
		return err.Error()
	}
	first := strings.TrimSuffix(errs[0].Error(), " "+export.ErrExists.Error())
	return fmt.Sprintf("%s and %d more files already exist", first, len(errs)-1)
}

func (e *exportScreen) keys(en *env) bindings {
	k := en.keys
	if e.done {
		return bindings{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "quit")), k.Back}
	}
	b := bindings{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write files"))}
	if e.result.unresolved {
		b[0].SetHelp("enter", "write anyway")
	}
	if e.overwrite {
		b = append(b, k.Overwrite)
	}
	return append(b, k.Back, k.Quit)
}

// allKeys are every key the screen answers to, for the key list: none
// while the files are being written.
func (e *exportScreen) allKeys(en *env) []keyGroup {
	k := en.keys
	var b []key.Binding
	switch {
	case e.running:
		return nil
	case e.done:
		b = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "quit octoha"))}
	case e.askLive:
		b = []key.Binding{withDesc(k.Enter, "write the files anyway")}
	case len(e.job.liveErrors) > 0:
		b = []key.Binding{withDesc(k.Enter, "write the files (asks first: the live checks found errors)")}
	case e.result.unresolved:
		b = []key.Binding{withDesc(k.Enter, "write the change anyway, the new host not resolving from here")}
	default:
		b = []key.Binding{withDesc(k.Enter, "write the files")}
	}
	if e.overwrite {
		b = append(b, withDesc(k.Overwrite, "write over the files there"))
	}
	b = append(b, withDesc(k.Back, "back to Review"), withDesc(k.Complete, "complete the folder's path"))
	return []keyGroup{{title: "Export", keys: b}, typingGroup(&e.input)}
}
