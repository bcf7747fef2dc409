package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file is %q after a failed write", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteDirReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	fill := func(name string) func(string) error {
		return func(d string) error { return os.WriteFile(filepath.Join(d, name), []byte(name), 0o644) }
	}
	if err := WriteDir(path, fill("a")); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(path, fill("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(path, "a")); err == nil {
		t.Error("old content survived the replacement")
	}
	if err := WriteDir(path, func(string) error { return errors.New("boom") }); err == nil {
		t.Fatal("failure not reported")
	}
	if _, err := os.Stat(filepath.Join(path, "b")); err != nil {
		t.Error("a failed write removed the previous folder")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary folders left: %v", entries)
	}
}
