import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/**
 * The {@code camel} command of Camel JBang, launched by plain Java: camel-jbang-core holds every
 * command but no main method (the JBang tool or camel-jbang-main normally provide it).
 *
 * <pre>java -cp "$(cat target/camel-jbang.classpath)" CamelJBang.java run routes/*.camel.yaml ...</pre>
 */
public class CamelJBang {

    public static void main(String... args) {
        CamelJBangMain.run(args);
    }
}
