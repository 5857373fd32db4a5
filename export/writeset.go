package export

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/octoha/octoha/render"
)

// ErrExists is returned by WriteSet when a file is already there and
// overwriting was not asked for.
var ErrExists = errors.New("already exists")

// TempPrefix begins the name of every file a write keeps while it works:
// the new contents before they are renamed into place, the old files kept
// until the whole set is in, and the plan that lets the next write undo one
// that was killed half-way. Each write removes what it finds of these in the
// folders it writes.
const TempPrefix = ".octoha-tmp-"

// WriteOptions says how WriteSet writes.
type WriteOptions struct {
	// Force replaces files that are already there: all of the set's, or,
	// when anything fails, none of them.
	Force bool
	// Private are further files of the same set, written with mode 0600
	// (the answers file) instead of 0644.
	Private []render.File
}

// WriteError is a write that failed once it had begun checking the folder.
// Its message says whether the folder is as it was.
type WriteError struct {
	Dir string
	Err error
	// Unchanged is true when the folder is exactly as it was before.
	Unchanged bool
}

func (e *WriteError) Error() string {
	if e.Unchanged {
		return fmt.Sprintf("%v; nothing in %s was changed", e.Err, e.Dir)
	}
	return fmt.Sprintf("%v; %s may hold old and new files side by side: the old ones are kept there as %s*.old, "+
		"and the next octoha write into %s puts them back", e.Err, e.Dir, TempPrefix, e.Dir)
}

func (e *WriteError) Unwrap() error { return e.Err }

// WriteSet writes files and opts.Private under dir, all of them or none:
// every file goes under a temporary name first, and only when all are
// written are they renamed into place, the old ones kept aside until the
// last rename so a failure can put them back. Without opts.Force an
// existing file refuses the whole set (ErrExists). Nothing is written
// through a symbolic link inside dir. A write killed half-way leaves only
// TempPrefix files, which the next write into the same folders removes (or,
// killed among the renames, uses to put the old files back). It returns the
// paths it wrote, and nothing when it fails.
func WriteSet(dir string, files []render.File, opts WriteOptions) ([]string, error) {
	w := &setWrite{dir: dir}
	for _, f := range files {
		if err := w.add(f, 0o644); err != nil {
			return nil, err
		}
	}
	for _, f := range opts.Private {
		if err := w.add(f, 0o600); err != nil {
			return nil, err
		}
	}
	if err := w.open(); err != nil {
		return nil, &WriteError{Dir: dir, Err: err, Unchanged: true}
	}
	defer w.root.Close()
	if err := w.check(opts.Force); err != nil {
		w.removeCreated()
		var we *WriteError
		if errors.As(err, &we) || errors.Is(err, ErrExists) {
			return nil, err
		}
		return nil, &WriteError{Dir: dir, Err: err, Unchanged: true}
	}
	if err := w.write(); err != nil {
		return nil, err
	}
	written := make([]string, len(w.items))
	for i, it := range w.items {
		written[i] = w.full(it.rel)
	}
	return written, nil
}

// setWrite is one WriteSet under way. Paths in it are relative to dir,
// which root holds open, so no step can leave the folder.
type setWrite struct {
	dir   string
	root  *os.Root
	id    string
	items []item
	// createdDirs are folders this write made, outside the root (dir and
	// its missing parents, absolute) and inside it (relative), in order.
	createdDirs, createdSubdirs []string
}

type item struct {
	rel, tmp, old string
	content       []byte
	mode          fs.FileMode
	existed       bool
}

// beforeStep, when a test sets it, runs before each step of a write
// ("temp", "plan", "backup" and "rename", with the file's relative path)
// and may fail that step, or stop the write there to be killed.
var beforeStep func(step, rel string) error

func step(name, rel string) error {
	if beforeStep == nil {
		return nil
	}
	return beforeStep(name, rel)
}

func (w *setWrite) add(f render.File, mode fs.FileMode) error {
	rel := filepath.FromSlash(f.Path)
	if !filepath.IsLocal(rel) || strings.HasPrefix(filepath.Base(rel), TempPrefix) {
		return fmt.Errorf("cannot write %q: not a file name inside the output folder", f.Path)
	}
	rel = filepath.Clean(rel)
	for _, it := range w.items {
		if it.rel == rel {
			return fmt.Errorf("cannot write %s twice in one set", w.full(rel))
		}
	}
	w.items = append(w.items, item{rel: rel, content: f.Content, mode: mode})
	return nil
}

func (w *setWrite) full(rel string) string { return filepath.Join(w.dir, rel) }

// open makes dir if it is missing, remembering what it made so a failure
// can take it away again, and opens it as the root of every later step.
func (w *setWrite) open() error {
	var missing []string
	for p := filepath.Clean(w.dir); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("%s is a file, not a folder", p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	for _, p := range slices.Backward(missing) {
		if err := os.Mkdir(p, 0o755); err != nil {
			w.removeCreated()
			return err
		}
		w.createdDirs = append(w.createdDirs, p)
	}
	root, err := os.OpenRoot(w.dir)
	if err != nil {
		w.removeCreated()
		return err
	}
	w.root = root
	var id [4]byte
	rand.Read(id[:])
	w.id = hex.EncodeToString(id[:])
	for i := range w.items {
		it := &w.items[i]
		it.tmp = filepath.Join(filepath.Dir(it.rel), TempPrefix+w.id+"-"+filepath.Base(it.rel))
		it.old = it.tmp + ".old"
	}
	return nil
}

// check refuses links and wrong kinds of file on the set's paths, undoes
// what a killed write left, and, without force, refuses an existing file.
func (w *setWrite) check(force bool) error {
	folders := w.folders()
	for _, d := range folders {
		if _, err := w.inspect(d, true); err != nil {
			return err
		}
	}
	if err := w.removeLeftovers(folders); err != nil {
		return err
	}
	var existing []error
	for i := range w.items {
		it := &w.items[i]
		info, err := w.inspect(it.rel, false)
		if err != nil {
			return err
		}
		it.existed = info != nil
		if it.existed && !force {
			existing = append(existing, fmt.Errorf("%s %w", w.full(it.rel), ErrExists))
		}
	}
	return errors.Join(existing...)
}

// inspect looks at every component of rel under the output folder without
// following links: a symbolic link anywhere is refused, as is a file where
// a folder must be or a folder (or device, or pipe) where a file must be.
// It returns nil for a path that does not exist yet.
func (w *setWrite) inspect(rel string, folder bool) (fs.FileInfo, error) {
	if rel == "." {
		return nil, nil
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		info, err := w.root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		last := i == len(parts)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("%s is a symbolic link, and octoha never writes through a link inside the output folder. "+
				"Remove the link, or export into another folder", w.full(p))
		case (!last || folder) && !info.IsDir():
			return nil, fmt.Errorf("%s is a file where octoha needs a folder. Move it away, or export into another folder", w.full(p))
		case last && !folder && info.IsDir():
			return nil, fmt.Errorf("%s is a folder where octoha writes a file. Move it away, or export into another folder", w.full(p))
		case last && !folder && !info.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file (%v). Move it away, or export into another folder", w.full(p), info.Mode().Type())
		}
		if last {
			return info, nil
		}
	}
	return nil, nil
}

// write writes every temporary file, then the plan, then renames them all
// into place; any failure puts the folder back as it was.
func (w *setWrite) write() error {
	for i := range w.items {
		if err := w.writeTemp(&w.items[i]); err != nil {
			w.removeOwn()
			w.removeCreated()
			return &WriteError{Dir: w.dir, Err: err, Unchanged: true}
		}
	}
	if err := w.writePlan(); err != nil {
		w.removeOwn()
		w.removeCreated()
		return &WriteError{Dir: w.dir, Err: err, Unchanged: true}
	}
	for i := range w.items {
		if err := w.rename(&w.items[i]); err != nil {
			if uerr := w.undo(w.id, w.plan()); uerr != nil {
				return &WriteError{Dir: w.dir, Err: fmt.Errorf("%v, and putting the old files back failed: %v", err, uerr)}
			}
			w.removeOwn()
			w.removeCreated()
			return &WriteError{Dir: w.dir, Err: err, Unchanged: true}
		}
	}
	// Removing the plan is the commit: from here the new set stands, and
	// what is left of this write is leftovers for the next one to remove.
	w.root.Remove(w.planName())
	w.syncFolders()
	w.removeOwn()
	return nil
}

func (w *setWrite) writeTemp(it *item) error {
	d := filepath.Dir(it.rel)
	if d != "." {
		parts := strings.Split(d, string(filepath.Separator))
		for i := range parts {
			p := filepath.Join(parts[:i+1]...)
			if _, err := w.root.Lstat(p); errors.Is(err, fs.ErrNotExist) {
				if err := w.root.Mkdir(p, 0o755); err != nil {
					return fmt.Errorf("cannot make the folder %s: %v", w.full(p), cause(err))
				}
				w.createdSubdirs = append(w.createdSubdirs, p)
			}
		}
	}
	if err := step("temp", it.rel); err != nil {
		return fmt.Errorf("cannot write %s: %v", w.full(it.rel), err)
	}
	if err := w.writeFile(it.tmp, it.content, it.mode); err != nil {
		return fmt.Errorf("cannot write %s: %v", w.full(it.rel), cause(err))
	}
	return nil
}

// writeFile creates name, which must not exist, and syncs it to disk.
func (w *setWrite) writeFile(name string, content []byte, mode fs.FileMode) error {
	f, err := w.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	// The mode is set on the open file, so the umask does not change it
	// and no link can be swapped in between.
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// The plan lists the set's paths, each as "old" (a file was there, and is
// kept as its .old until the set is in) or "new". It is written once every
// temporary file is, so a killed write whose plan is still there was among
// its renames, and the next write undoes it.
const planHeader = "octoha write plan 1\n"

func (w *setWrite) planName() string { return TempPrefix + w.id + ".plan" }

func (w *setWrite) plan() []planEntry {
	entries := make([]planEntry, len(w.items))
	for i, it := range w.items {
		entries[i] = planEntry{rel: it.rel, existed: it.existed}
	}
	return entries
}

type planEntry struct {
	rel     string
	existed bool
}

func (w *setWrite) writePlan() error {
	if err := step("plan", "."); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(planHeader)
	for _, e := range w.plan() {
		kind := "new"
		if e.existed {
			kind = "old"
		}
		fmt.Fprintf(&b, "%s %s\n", kind, filepath.ToSlash(e.rel))
	}
	// Every temporary file reaches the disk before the plan that names it.
	w.syncFolders()
	part := TempPrefix + w.id + "-plan.part"
	if err := w.writeFile(part, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("cannot write %s: %v", w.full(part), cause(err))
	}
	if err := w.root.Rename(part, w.planName()); err != nil {
		return fmt.Errorf("cannot write %s: %v", w.full(w.planName()), cause(err))
	}
	w.syncFolders()
	return nil
}

// rename puts one new file in place. An old file is first kept as a hard
// link under its .old name, so the path always holds the old file or the
// new one; where links are not supported it is renamed aside instead.
func (w *setWrite) rename(it *item) error {
	if it.existed {
		if err := step("backup", it.rel); err != nil {
			return fmt.Errorf("cannot keep the old %s aside: %v", w.full(it.rel), err)
		}
		if err := w.root.Link(it.rel, it.old); err != nil {
			if err := w.root.Rename(it.rel, it.old); err != nil {
				return fmt.Errorf("cannot keep the old %s aside: %v", w.full(it.rel), cause(err))
			}
		}
	}
	if err := step("rename", it.rel); err != nil {
		return fmt.Errorf("cannot rename %s into place: %v", w.full(it.rel), err)
	}
	if err := w.root.Rename(it.tmp, it.rel); err != nil {
		return fmt.Errorf("cannot rename %s into place: %v", w.full(it.rel), cause(err))
	}
	return nil
}

// undo puts back what write id did among its renames: each old file from
// its .old, and each new file that was not there before taken away. It
// reads the folder rather than memory, so it serves a failed rename here and
// a write that was killed alike. Once it succeeds it removes the plan.
func (w *setWrite) undo(id string, plan []planEntry) error {
	var errs []error
	for _, e := range slices.Backward(plan) {
		tmp := filepath.Join(filepath.Dir(e.rel), TempPrefix+id+"-"+filepath.Base(e.rel))
		if e.existed {
			if _, err := w.root.Lstat(tmp + ".old"); err == nil {
				if err := w.root.Rename(tmp+".old", e.rel); err != nil {
					errs = append(errs, fmt.Errorf("%s: %v", w.full(e.rel), cause(err)))
				}
			}
			continue
		}
		_, tmpErr := w.root.Lstat(tmp)
		info, err := w.root.Lstat(e.rel)
		if errors.Is(tmpErr, fs.ErrNotExist) && err == nil && info.Mode().IsRegular() {
			if err := w.root.Remove(e.rel); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", w.full(e.rel), cause(err)))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	w.syncFolders()
	if err := w.root.Remove(TempPrefix + id + ".plan"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// removeLeftovers undoes every write whose plan is still in the output
// folder (it was killed among its renames), then removes every TempPrefix
// file in folders.
func (w *setWrite) removeLeftovers(folders []string) error {
	names, err := w.tempNames(".")
	if err != nil {
		return err
	}
	for _, name := range names {
		id, ok := strings.CutSuffix(strings.TrimPrefix(name, TempPrefix), ".plan")
		if !ok {
			continue
		}
		plan, err := w.readPlan(name)
		if err == nil {
			err = w.undo(id, plan)
		}
		if err != nil {
			return &WriteError{Dir: w.dir, Err: fmt.Errorf("an earlier write was stopped half-way, and putting its old files back failed: %v", err)}
		}
	}
	for _, d := range folders {
		names, err := w.tempNames(d)
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := w.root.Remove(filepath.Join(d, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cannot remove %s, left by an earlier write: %v", w.full(filepath.Join(d, name)), cause(err))
			}
		}
	}
	return nil
}

// tempNames lists the regular TempPrefix files in folder d, if it exists.
func (w *setWrite) tempNames(d string) ([]string, error) {
	f, err := w.root.Open(d)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), TempPrefix) && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// readPlan reads a plan an earlier write left, taking only paths that
// inspect accepts, so a crafted plan cannot reach outside the folder or
// through a link.
func (w *setWrite) readPlan(name string) ([]planEntry, error) {
	data, err := w.root.ReadFile(name)
	if err != nil {
		return nil, err
	}
	body, ok := bytes.CutPrefix(data, []byte(planHeader))
	if !ok {
		return nil, fmt.Errorf("%s is not a plan octoha wrote", w.full(name))
	}
	var plan []planEntry
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		kind, path, _ := strings.Cut(sc.Text(), " ")
		rel := filepath.FromSlash(path)
		if (kind != "old" && kind != "new") || !filepath.IsLocal(rel) {
			return nil, fmt.Errorf("%s has a line octoha cannot read: %q", w.full(name), sc.Text())
		}
		if _, err := w.inspect(filepath.Dir(rel), true); err != nil {
			return nil, err
		}
		plan = append(plan, planEntry{rel: filepath.Clean(rel), existed: kind == "old"})
	}
	return plan, sc.Err()
}

// removeOwn removes what this write left under TempPrefix names.
func (w *setWrite) removeOwn() {
	for _, it := range w.items {
		w.root.Remove(it.tmp)
		w.root.Remove(it.old)
	}
	w.root.Remove(TempPrefix + w.id + "-plan.part")
}

// removeCreated takes away the folders this write made, if they are empty.
func (w *setWrite) removeCreated() {
	for _, d := range slices.Backward(w.createdSubdirs) {
		w.root.Remove(d)
	}
	w.createdSubdirs = nil
	if len(w.createdDirs) > 0 && w.root != nil {
		// Windows removes no folder that is held open.
		w.root.Close()
	}
	for _, d := range slices.Backward(w.createdDirs) {
		os.Remove(d)
	}
	w.createdDirs = nil
}

// folders are the folders the set's files go in, the output folder first.
func (w *setWrite) folders() []string {
	folders := []string{"."}
	for _, it := range w.items {
		if d := filepath.Dir(it.rel); !slices.Contains(folders, d) {
			folders = append(folders, d)
		}
	}
	return folders
}

// syncFolders asks the disk to keep the renames and removals in the set's
// folders; a file system that cannot sync a folder is left as it is.
func (w *setWrite) syncFolders() {
	for _, d := range w.folders() {
		if f, err := w.root.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
}

// cause is the reason inside a path error, whose own message would name
// the path relative to the output folder.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
