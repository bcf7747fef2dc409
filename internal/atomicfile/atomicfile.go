// Package atomicfile writes files and folders so that a failed run never
// leaves a half-written output: content goes to a temporary name in the
// destination's folder and is renamed into place only once complete.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path with the bytes that fill writes. If fill fails, the
// temporary file is removed and path is left as it was.
func Write(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteDir creates the folder path with the files that fill writes into the
// temporary folder it is given. An existing folder at path is replaced only
// after fill succeeds.
func WriteDir(path string, fill func(dir string) error) (err error) {
	parent := filepath.Dir(path)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if fi, statErr := os.Stat(path); statErr == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a folder", path)
		}
		old := tmp + ".old"
		if err = os.Rename(path, old); err != nil {
			return err
		}
		if err = os.Rename(tmp, path); err != nil {
			os.Rename(old, path)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(tmp, path)
}
