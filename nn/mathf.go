package nn

import "math"

// expf is exp for float32, accurate to about 2 ulp and several times
// faster than math.Exp. It matters because SiLU evaluates about 1e9
// exponentials per MNIST epoch of the paper's CNN. Method: exp(x) =
// 2^n * exp(r) with n = round(x / ln 2), found by adding and subtracting
// 1.5 * 2^23 (which rounds to an integer in float32 arithmetic), and
// |r| <= ln2/2 after a Cody-Waite split of ln 2; exp(r) is a degree-6
// Taylor polynomial, whose error there is below 1e-8.
func expf(x float32) float32 {
	const (
		log2e   = 1.44269504088896341
		ln2hi   = 0.693359375
		ln2lo   = -2.12194440e-4
		shifter = 1.5 * (1 << 23)
	)
	// Clamp so that 2^n stays a normal float32: exp(-87.3) ~ 1.2e-38,
	// exp(88.3) ~ 2.2e38. Results beyond saturate to those values.
	x = min(max(x, -87.3), 88.3)
	t := x*log2e + shifter
	n := t - shifter
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	// The low bits of t hold n; 2^n is n+127 in the exponent field.
	return p * math.Float32frombits(uint32(int32(math.Float32bits(t)&0x7fffff)-(1<<22)+127)<<23)
}

// sigmoidf is 1 / (1 + exp(-x)); it saturates cleanly to 0 and 1.
func sigmoidf(x float32) float32 {
	return 1 / (1 + expf(-x))
}
