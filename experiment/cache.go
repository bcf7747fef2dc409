package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/internal/atomicfile"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/space"
)

// cache keeps trained models and embeddings under dir, keyed by a hash of
// everything that determines them, so an interrupted or repeated run
// resumes instead of retraining. Files are written atomically, so a
// killed run never leaves a half entry. An empty dir disables caching.
type cache struct{ dir string }

// key hashes a JSON-able description.
func key(parts ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, p := range parts {
		enc.Encode(p)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// idsHash hashes a list of ids (cheaper than JSON for 60,000 of them).
func idsHash(ids []int64) string {
	h := sha256.New()
	var b [8]byte
	for _, id := range ids {
		binary.LittleEndian.PutUint64(b[:], uint64(id))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

func (c cache) path(kind, k, ext string) string {
	return filepath.Join(c.dir, kind, k+ext)
}

// model returns the cached model with key k, or nil.
func (c cache) model(k string) (*nn.Model, error) {
	if c.dir == "" {
		return nil, nil
	}
	m, err := nn.Load(c.path("models", k, ".safetensors"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return m, err
}

func (c cache) putModel(k string, m *nn.Model) error {
	if c.dir == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "models"), 0o755); err != nil {
		return err
	}
	return m.Save(c.path("models", k, ".safetensors"))
}

// embedding returns the cached space with key k, or nil.
func (c cache) embedding(k string) (*space.Space, error) {
	if c.dir == "" {
		return nil, nil
	}
	ch, err := chartio.Read(c.path("embeddings", k, ".npz"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ch.Space, nil
}

func (c cache) putEmbedding(k string, s *space.Space) error {
	if c.dir == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "embeddings"), 0o755); err != nil {
		return err
	}
	return chartio.Write(c.path("embeddings", k, ".npz"), &chartio.Chart{Space: s})
}

// history returns the cached training history of model k, or nil.
func (c cache) history(k string) (*nn.History, error) {
	if c.dir == "" {
		return nil, nil
	}
	b, err := os.ReadFile(c.path("models", k, ".history.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var h nn.History
	return &h, json.Unmarshal(b, &h)
}

func (c cache) putHistory(k string, h *nn.History) error {
	if c.dir == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "models"), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(c.path("models", k, ".history.json"), func(w io.Writer) error {
		return json.NewEncoder(w).Encode(h)
	})
}
