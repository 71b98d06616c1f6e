package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(dst, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		fill    func(tmp string) error
		wantErr error
		want    string
	}{
		{"failure keeps the old file", func(tmp string) error {
			if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
				return err
			}
			return boom
		}, boom, "old"},
		{"success replaces it", func(tmp string) error { return os.WriteFile(tmp, []byte("new"), 0o600) }, nil, "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(dst, tt.fill)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write error = %v, want %v", err, tt.wantErr)
			}
			got, err := os.ReadFile(dst)
			if err != nil || string(got) != tt.want {
				t.Fatalf("content = %q, %v; want %q", got, err, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("directory holds %d entries, want only the destination", len(entries))
			}
		})
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file mode = %v, %v; want the old file's 0600", fi.Mode(), err)
	}
}

func TestWriteNewFileMode(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "new.txt")
	if err := Write(dst, func(tmp string) error { return os.WriteFile(tmp, []byte("x"), 0o600) }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file mode = %v, %v; want 0644", fi.Mode(), err)
	}
}

// A pending file is invisible at its destination until Commit, and Discard
// leaves nothing behind, whenever and however often it is called.
func TestPending(t *testing.T) {
	tests := []struct {
		name   string
		finish func(p *Pending) error
		want   []string // directory entries afterwards
	}{
		{"commit", func(p *Pending) error { return p.Commit() }, []string{"out.txt"}},
		{"discard", func(p *Pending) error { return p.Discard() }, nil},
		{"discard twice", func(p *Pending) error { p.Discard(); return p.Discard() }, nil},
		{"discard after commit", func(p *Pending) error { p.Commit(); return p.Discard() }, []string{"out.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dst := filepath.Join(dir, "out.txt")
			p, err := Create(dst)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(p.Tmp()) != dir {
				t.Errorf("temporary file %s is not in %s", p.Tmp(), dir)
			}
			if err := os.WriteFile(p.Tmp(), []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("destination exists before commit: %v", err)
			}
			if err := tt.finish(p); err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Fatalf("directory holds %v, want %v", got, tt.want)
			}
		})
	}
}
