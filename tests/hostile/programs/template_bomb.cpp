/*
 * Compile-time bomb: every instantiation of Bomb<N, M> needs two new, distinct ones (M doubles),
 * so the compiler must instantiate 2^60 templates. Only the compile time limit can end it; the run
 * stage must not run.
 */
template <int N, unsigned long M> struct Bomb {
    static constexpr unsigned long value = Bomb<N - 1, 2 * M>::value + Bomb<N - 1, 2 * M + 1>::value;
};
template <unsigned long M> struct Bomb<0, M> {
    static constexpr unsigned long value = M;
};
int main() { return Bomb<60, 0>::value != 0; }
