package dev.ficus.architecture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.springframework.asm.AnnotationVisitor;
import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.FieldVisitor;
import org.springframework.asm.Handle;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.RecordComponentVisitor;

import com.tngtech.archunit.core.domain.JavaClass;

/**
 * The string literals compiled into a class file. ArchUnit models types and dependencies but not
 * constants, so SQL hidden in strings is read straight from the byte code: constants loaded by
 * methods, constant field values, the literal parts of {@code "a" + b} concatenations (the recipe
 * of {@code invokedynamic}) and string values of annotations such as {@code @Query}.
 */
final class StringConstants {

    private static final int ASM_API = Opcodes.ASM9;

    private StringConstants() {
    }

    static List<String> of(JavaClass javaClass) {
        URI classFile = javaClass.getSource()
                .orElseThrow(() -> new IllegalStateException("No class file known for " + javaClass.getName()))
                .getUri();
        try (InputStream bytes = classFile.toURL().openStream()) {
            return of(bytes);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not read " + classFile, e);
        }
    }

    static List<String> of(InputStream classFile) throws IOException {
        List<String> constants = new ArrayList<>();
        new ClassReader(classFile).accept(new Collector(constants), ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        // A constant field's value also appears wherever the field is read.
        return constants.stream().distinct().toList();
    }

    private static final class Collector extends ClassVisitor {

        private final List<String> constants;

        Collector(List<String> constants) {
            super(ASM_API);
            this.constants = constants;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return new AnnotationValues(constants);
        }

        @Override
        public RecordComponentVisitor visitRecordComponent(String name, String descriptor, String signature) {
            return new RecordComponentVisitor(ASM_API) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    return new AnnotationValues(constants);
                }
            };
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            if (value instanceof String constant) {
                constants.add(constant);
            }
            return new FieldVisitor(ASM_API) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    return new AnnotationValues(constants);
                }
            };
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            return new MethodVisitor(ASM_API) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    return new AnnotationValues(constants);
                }

                @Override
                public AnnotationVisitor visitParameterAnnotation(int parameter, String annotation, boolean visible) {
                    return new AnnotationValues(constants);
                }

                @Override
                public AnnotationVisitor visitAnnotationDefault() {
                    return new AnnotationValues(constants);
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof String constant) {
                        constants.add(constant);
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap,
                        Object... arguments) {
                    for (Object argument : arguments) {
                        if (argument instanceof String constant) {
                            constants.add(constant);
                        }
                    }
                }
            };
        }
    }

    private static final class AnnotationValues extends AnnotationVisitor {

        private final List<String> constants;

        AnnotationValues(List<String> constants) {
            super(ASM_API);
            this.constants = constants;
        }

        @Override
        public void visit(String name, Object value) {
            if (value instanceof String constant) {
                constants.add(constant);
            }
        }

        @Override
        public AnnotationVisitor visitAnnotation(String name, String descriptor) {
            return this;
        }

        @Override
        public AnnotationVisitor visitArray(String name) {
            return this;
        }
    }
}
