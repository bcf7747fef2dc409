package experiment

import (
	"math"
	"testing"
)

func TestSummariseMeanStd(t *testing.T) {
	runs := []*RunResult{
		{EndToEndAcc: 0.5, Routing: map[string]*RoutingResult{"oracle": {CKA: map[string]float64{"cka_orig_aggr_rel_rel": 0.8}}}},
		{EndToEndAcc: 0.7, Routing: map[string]*RoutingResult{"oracle": {CKA: map[string]float64{"cka_orig_aggr_rel_rel": 0.9}}}},
		{EndToEndAcc: 0.9, Routing: map[string]*RoutingResult{"oracle": {CKA: map[string]float64{"cka_orig_aggr_rel_rel": 1.0}}}},
	}
	s := summarise(runs)
	// Hand computation: mean 0.7, sample std sqrt(((0.2)^2*2)/2) = 0.2.
	if e := s["end_to_end_acc"]; math.Abs(e.Mean-0.7) > 1e-12 || math.Abs(e.Std-0.2) > 1e-12 || e.N != 3 {
		t.Errorf("end_to_end_acc %+v", e)
	}
	if c := s["routing.oracle.cka.cka_orig_aggr_rel_rel"]; math.Abs(c.Mean-0.9) > 1e-12 || math.Abs(c.Std-0.1) > 1e-12 {
		t.Errorf("cka %+v", c)
	}
	if _, ok := s["seed"]; ok {
		t.Error("the seed is not a metric")
	}
	one := summarise(runs[:1])
	if one["end_to_end_acc"].Std != 0 {
		t.Error("std of one seed must be 0")
	}
}

func TestSeedFor(t *testing.T) {
	a := seedFor(1, "anchors", "mnist", "shared-samples", 4, 2)
	if a != seedFor(1, "anchors", "mnist", "shared-samples", 4, 2) {
		t.Error("seedFor is not deterministic")
	}
	if a == seedFor(2, "anchors", "mnist", "shared-samples", 4, 2) || a == seedFor(1, "anchors", "mnist", "shared-samples", 4, 3) {
		t.Error("seedFor ignores its inputs")
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.AnchorsPool = 2000
	if err := c.validate(); err == nil {
		t.Error("more anchors than the pool accepted")
	}
	c = Default()
	c.Seeds = nil
	if err := c.validate(); err == nil {
		t.Error("no seeds accepted")
	}
}
