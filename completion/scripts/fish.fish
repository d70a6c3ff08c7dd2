# fish completion for @PROG@.
#
# Load it in the current shell:    @PROG@ completion fish | source
# or for every shell, save it as:  ~/.config/fish/completions/@PROG@.fish
#
# On every TAB this asks `@PROG@ __complete` for the candidates, so they
# always match the installed version (and list live contexts and namespaces).

function __initwatch_complete
    # Tokens before the cursor (the command first), then the one being typed.
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $current 2>/dev/null)
    or return

    set -l directive 0
    if test (count $out) -gt 0; and string match -qr '^:[0-9]+$' -- $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    if test $directive -eq 1
        return
    end
    if test (count $out) -eq 0
        if test $directive -eq 0
            __fish_complete_path $current # no candidates: file names
        end
        return
    end
    printf '%s\n' $out
end

complete -c @PROG@ -f -a '(__initwatch_complete)'
