"""Minimal programs for every backend, for the tests to run through the sandbox.

PROGRAMS[backend] has:
- "hello": prints exactly "hello world" and a newline;
- "sum": reads whitespace-separated integers from stdin until EOF, prints their sum and a newline;
- "runtime_error": exits non-zero with an error message on stderr;
- "compile_error" (compiled backends only): a program whose compile stage fails.

The file name each program is saved as comes from the backend's backend.yaml.
"""

from __future__ import annotations

PROGRAMS: dict[str, dict[str, str]] = {
    "bash": {
        "hello": "echo 'hello world'\n",
        "sum": 'sum=0\nfor n in $(cat); do sum=$((sum + n)); done\necho "$sum"\n',
        "runtime_error": "echo 'error: boom' >&2\nexit 3\n",
    },
    "clojure": {
        "hello": '(println "hello world")\n',
        "sum": (
            "(println (reduce + (map #(Long/parseLong %)\n"
            '  (remove empty? (clojure.string/split (slurp *in*) #"\\s+")))))\n'
        ),
        "runtime_error": '(throw (RuntimeException. "boom"))\n',
    },
    "commonlisp": {
        "hello": '(format t "hello world~%")\n',
        "sum": (
            "(let ((sum 0))\n"
            "  (do ((x (read *standard-input* nil nil) (read *standard-input* nil nil)))\n"
            "      ((null x))\n"
            "    (setq sum (+ sum x)))\n"
            '  (format t "~D~%" sum))\n'
        ),
        "runtime_error": '(error "boom")\n',
    },
    "cpp": {
        "hello": '#include <iostream>\n\nint main() {\n    std::cout << "hello world" << std::endl;\n}\n',
        "sum": (
            "#include <iostream>\n\n"
            "int main() {\n"
            "    long long n, sum = 0;\n"
            "    while (std::cin >> n) sum += n;\n"
            '    std::cout << sum << "\\n";\n'
            "}\n"
        ),
        "runtime_error": ('#include <stdexcept>\n\nint main() {\n    throw std::runtime_error("boom");\n}\n'),
        "compile_error": "int main() {\n    return undefined_name;\n}\n",
    },
    "gcc": {
        "hello": '#include <stdio.h>\n\nint main(void) {\n    printf("hello world\\n");\n    return 0;\n}\n',
        "sum": (
            "#include <stdio.h>\n\n"
            "int main(void) {\n"
            "    long long n, sum = 0;\n"
            '    while (scanf("%lld", &n) == 1) sum += n;\n'
            '    printf("%lld\\n", sum);\n'
            "    return 0;\n"
            "}\n"
        ),
        "runtime_error": (
            '#include <stdio.h>\n\nint main(void) {\n    fprintf(stderr, "error: boom\\n");\n    return 3;\n}\n'
        ),
        "compile_error": "int main(void) {\n    return undefined_name;\n}\n",
    },
    "go": {
        "hello": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello world")\n}\n',
        "sum": (
            "package main\n\n"
            'import "fmt"\n\n'
            "func main() {\n"
            "\tvar n, sum int64\n"
            "\tfor {\n"
            "\t\tif _, err := fmt.Scan(&n); err != nil {\n"
            "\t\t\tbreak\n"
            "\t\t}\n"
            "\t\tsum += n\n"
            "\t}\n"
            "\tfmt.Println(sum)\n"
            "}\n"
        ),
        "runtime_error": 'package main\n\nfunc main() {\n\tpanic("boom")\n}\n',
    },
    "haskell": {
        "hello": 'main :: IO ()\nmain = putStrLn "hello world"\n',
        "sum": "main :: IO ()\nmain = getContents >>= print . sum . map (read :: String -> Integer) . words\n",
        "runtime_error": 'main :: IO ()\nmain = error "boom"\n',
        "compile_error": "main :: IO ()\nmain = putStrLn undefinedName\n",
    },
    "java": {
        "hello": (
            "public class Main {\n"
            "    public static void main(String[] args) {\n"
            '        System.out.println("hello world");\n'
            "    }\n"
            "}\n"
        ),
        "sum": (
            "import java.util.Scanner;\n\n"
            "public class Main {\n"
            "    public static void main(String[] args) {\n"
            "        Scanner in = new Scanner(System.in);\n"
            "        long sum = 0;\n"
            "        while (in.hasNextLong()) sum += in.nextLong();\n"
            "        System.out.println(sum);\n"
            "    }\n"
            "}\n"
        ),
        "runtime_error": (
            "public class Main {\n"
            "    public static void main(String[] args) {\n"
            '        throw new RuntimeException("boom");\n'
            "    }\n"
            "}\n"
        ),
        "compile_error": (
            "public class Main {\n"
            "    public static void main(String[] args) {\n"
            "        System.out.println(undefinedName);\n"
            "    }\n"
            "}\n"
        ),
    },
    "javascript": {
        "hello": 'console.log("hello world");\n',
        "sum": (
            'const words = require("fs").readFileSync(0, "utf8").split(/\\s+/).filter(Boolean);\n'
            "console.log(words.reduce((sum, word) => sum + Number(word), 0));\n"
        ),
        "runtime_error": 'throw new Error("boom");\n',
    },
    "perl": {
        "hello": 'print "hello world\\n";\n',
        "sum": 'my $sum = 0;\nwhile (<STDIN>) { $sum += $_ for split; }\nprint "$sum\\n";\n',
        "runtime_error": 'die "boom\\n";\n',
    },
    "php": {
        "hello": '<?php\necho "hello world\\n";\n',
        "sum": (
            "<?php\n"
            '$words = preg_split("/\\s+/", stream_get_contents(STDIN), -1, PREG_SPLIT_NO_EMPTY);\n'
            'echo array_sum(array_map("intval", $words)), "\\n";\n'
        ),
        "runtime_error": '<?php\nthrow new Exception("boom");\n',
    },
    "python2": {
        "hello": 'print "hello world"\n',
        "sum": "import sys\n\nprint sum(int(word) for word in sys.stdin.read().split())\n",
        "runtime_error": 'raise ValueError("boom")\n',
    },
    "python3": {
        "hello": 'print("hello world")\n',
        "sum": "import sys\n\nprint(sum(int(word) for word in sys.stdin.read().split()))\n",
        "runtime_error": 'raise ValueError("boom")\n',
    },
    "ruby": {
        "hello": 'puts "hello world"\n',
        "sum": "puts $stdin.read.split.map(&:to_i).sum\n",
        "runtime_error": 'raise "boom"\n',
    },
    "scala": {
        "hello": 'println("hello world")\n',
        "sum": 'println(scala.io.Source.stdin.mkString.split("\\\\s+").filter(_.nonEmpty).map(_.toLong).sum)\n',
        "runtime_error": 'throw new RuntimeException("boom")\n',
    },
    "tcl": {
        "hello": 'puts "hello world"\n',
        "sum": "set sum 0\nforeach n [read stdin] { incr sum $n }\nputs $sum\n",
        "runtime_error": 'error "boom"\n',
    },
}
