package io.tweetstream.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The instructions of a Dockerfile, by stage: enough to check what the image runs and as whom. */
record Dockerfile(List<Stage> stages) {

    /** One stage: its base image and its instructions, continuation lines joined. */
    record Stage(String from, List<String> instructions) {

        /** The argument of the last instruction with this keyword in the stage. */
        Optional<String> last(String keyword) {
            Optional<String> last = Optional.empty();
            for (String instruction : instructions) {
                if (instruction.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1)) {
                    last = Optional.of(instruction.substring(keyword.length() + 1).strip());
                }
            }
            return last;
        }

        /** The ENV variables of the stage ({@code ENV KEY=value}, one or more per line). */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (String instruction : instructions) {
                if (instruction.startsWith("ENV ")) {
                    for (String pair : instruction.substring(4).strip().split("\\s+")) {
                        String[] parts = pair.split("=", 2);
                        env.put(parts[0], parts.length > 1 ? parts[1].replaceAll("^\"|\"$", "") : "");
                    }
                }
            }
            return env;
        }
    }

    static Dockerfile parse(String text) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.lines().toList()) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            current.append(stripped);
            instructions.add(current.toString().strip().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        for (String instruction : instructions) {
            if (instruction.regionMatches(true, 0, "FROM ", 0, 5)) {
                stages.add(new Stage(instruction.substring(5).strip(), new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(stages);
    }

    /** The stage the image runs: the last one. */
    Stage runtime() {
        return stages.get(stages.size() - 1);
    }
}
