package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/octoha/octoha/steps"
)

// ErrExists is returned by WriteFiles when a file is already there and
// overwriting was not asked for.
var ErrExists = errors.New("already exists")

// WriteFiles writes files under dir, each atomically (temp file + rename).
// Unless force is set it first checks that none of them exists, so a refusal
// writes nothing. It returns the paths it wrote.
func WriteFiles(dir string, files []File, force bool) ([]string, error) {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f.Path))
	}
	if !force {
		var existing []error
		for _, p := range paths {
			if _, err := os.Lstat(p); err == nil {
				existing = append(existing, fmt.Errorf("%s %w", p, ErrExists))
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		if len(existing) > 0 {
			return nil, errors.Join(existing...)
		}
	}
	for i, f := range files {
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
			return paths[:i], err
		}
		if err := steps.WriteFileAtomic(paths[i], f.Content, 0o644); err != nil {
			return paths[:i], err
		}
	}
	return paths, nil
}
