package synth

import (
	"strings"
	"testing"
)

func TestSettingsCoverage(t *testing.T) {
	for _, setting := range Settings {
		cfg := Default()
		cfg.Setting, cfg.Charts, cfg.Samples = setting, 3, 600
		cfg.Classes, cfg.Shared = 10, 4
		if setting == Disjoint {
			cfg.Classes = 9
		}
		set, err := Generate(cfg)
		if err != nil {
			t.Fatalf("%s: %v", setting, err)
		}
		seen := map[int64]int{}
		for _, c := range set.Charts {
			if err := c.Space.Validate(); err != nil {
				t.Fatal(err)
			}
			if c.Anchors.N() != cfg.Anchors {
				t.Errorf("%s: %d anchors", setting, c.Anchors.N())
			}
			for _, id := range c.Space.IDs {
				seen[id]++
			}
		}
		if len(seen) != cfg.Samples {
			t.Errorf("%s: charts cover %d of %d samples", setting, len(seen), cfg.Samples)
		}
		for id, n := range seen {
			label := set.Reference.Labels[id]
			want := 1
			if setting == SharedSamples && label < cfg.Shared {
				want = 3 // shared classes: in every chart
			}
			if n != want {
				t.Fatalf("%s: id %d (class %d) in %d charts, want %d", setting, id, label, n, want)
			}
		}
		if len(set.AsCharts()) != 3 || set.AsCharts()[1].Anchors != set.Charts[1].Anchors {
			t.Error("AsCharts does not mirror the charts")
		}
	}
}

func TestRejects(t *testing.T) {
	bad := map[string]func(*Config){
		"novel not divisible": func(c *Config) { c.Shared = 3 },
		"dims below latent":   func(c *Config) { c.Dims = []int{8} },
		"dims per chart":      func(c *Config) { c.Dims = []int{32, 32} },
		"one class":           func(c *Config) { c.Classes = 1 },
		"setting":             func(c *Config) { c.Setting = "mixed" },
	}
	for name, mod := range bad {
		c := Default()
		mod(&c)
		if _, err := Generate(c); err == nil || !strings.HasPrefix(err.Error(), "synth:") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
