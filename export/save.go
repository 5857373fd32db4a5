package export

import (
	"os"
	"path/filepath"

	"github.com/octoha/octoha/steps"
)

// SaveAnswers writes answers to path atomically with mode 0600: a crash
// leaves the old file or the new one, never half of one.
func SaveAnswers(path string, a steps.Answers) error {
	data, err := steps.Marshal(a)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data, 0o600)
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it,
// and renames it over path.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	// path is a local path on the machine octoha runs on, so filepath is
	// right here (unlike the Windows values inside the answers).
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return err
	}
	return nil
}
