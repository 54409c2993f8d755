import "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "electron-vite";
import vue from "@vitejs/plugin-vue";
const root = fileURLToPath(new URL(".", "file:///work/main/electron.vite.config.ts"));
var electron_vite_config_default = defineConfig({
	main: { build: {
		outDir: "out/main",
		rollupOptions: { input: {
			index: resolve(root, "src/main/index.ts"),
			worker: resolve(root, "src/worker/entry.ts")
		} }
	} },
	preload: { build: {
		outDir: "out/preload",
		rollupOptions: {
			input: { index: resolve(root, "src/preload/index.ts") },
			output: {
				format: "cjs",
				entryFileNames: "[name].cjs"
			}
		}
	} },
	renderer: {
		root: resolve(root, "src/renderer"),
		plugins: [vue()],
		build: {
			outDir: resolve(root, "out/renderer"),
			chunkSizeWarningLimit: 6e3,
			rollupOptions: { input: resolve(root, "src/renderer/index.html") }
		}
	}
});
export { electron_vite_config_default as default };

//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJmaWxlIjoiZWxlY3Ryb24udml0ZS5jb25maWcuanMiLCJuYW1lcyI6W10sInNvdXJjZXMiOlsiL3dvcmsvbWFpbi9lbGVjdHJvbi52aXRlLmNvbmZpZy50cyJdLCJzb3VyY2VzQ29udGVudCI6WyJpbXBvcnQgeyByZXNvbHZlIH0gZnJvbSAnbm9kZTpwYXRoJztcbmltcG9ydCB7IGZpbGVVUkxUb1BhdGggfSBmcm9tICdub2RlOnVybCc7XG5pbXBvcnQgeyBkZWZpbmVDb25maWcgfSBmcm9tICdlbGVjdHJvbi12aXRlJztcbmltcG9ydCB2dWUgZnJvbSAnQHZpdGVqcy9wbHVnaW4tdnVlJztcblxuY29uc3Qgcm9vdCA9IGZpbGVVUkxUb1BhdGgobmV3IFVSTCgnLicsIGltcG9ydC5tZXRhLnVybCkpO1xuXG5leHBvcnQgZGVmYXVsdCBkZWZpbmVDb25maWcoe1xuICBtYWluOiB7XG4gICAgYnVpbGQ6IHtcbiAgICAgIG91dERpcjogJ291dC9tYWluJyxcbiAgICAgIHJvbGx1cE9wdGlvbnM6IHtcbiAgICAgICAgaW5wdXQ6IHtcbiAgICAgICAgICBpbmRleDogcmVzb2x2ZShyb290LCAnc3JjL21haW4vaW5kZXgudHMnKSxcbiAgICAgICAgICAvLyBUaGUgdHJhaW5pbmcgd29ya2VyIEVsZWN0cm9uIHN0YXJ0cyB3aXRoIHV0aWxpdHlQcm9jZXNzLmZvcmsuXG4gICAgICAgICAgd29ya2VyOiByZXNvbHZlKHJvb3QsICdzcmMvd29ya2VyL2VudHJ5LnRzJyksXG4gICAgICAgIH0sXG4gICAgICB9LFxuICAgIH0sXG4gIH0sXG4gIHByZWxvYWQ6IHtcbiAgICBidWlsZDoge1xuICAgICAgb3V0RGlyOiAnb3V0L3ByZWxvYWQnLFxuICAgICAgLy8gU2FuZGJveGVkIHByZWxvYWRzIG11c3QgYmUgQ29tbW9uSlMuXG4gICAgICByb2xsdXBPcHRpb25zOiB7XG4gICAgICAgIGlucHV0OiB7IGluZGV4OiByZXNvbHZlKHJvb3QsICdzcmMvcHJlbG9hZC9pbmRleC50cycpIH0sXG4gICAgICAgIG91dHB1dDogeyBmb3JtYXQ6ICdjanMnLCBlbnRyeUZpbGVOYW1lczogJ1tuYW1lXS5janMnIH0sXG4gICAgICB9LFxuICAgIH0sXG4gIH0sXG4gIHJlbmRlcmVyOiB7XG4gICAgcm9vdDogcmVzb2x2ZShyb290LCAnc3JjL3JlbmRlcmVyJyksXG4gICAgcGx1Z2luczogW3Z1ZSgpXSxcbiAgICBidWlsZDoge1xuICAgICAgb3V0RGlyOiByZXNvbHZlKHJvb3QsICdvdXQvcmVuZGVyZXInKSxcbiAgICAgIGNodW5rU2l6ZVdhcm5pbmdMaW1pdDogNjAwMCxcbiAgICAgIHJvbGx1cE9wdGlvbnM6IHsgaW5wdXQ6IHJlc29sdmUocm9vdCwgJ3NyYy9yZW5kZXJlci9pbmRleC5odG1sJykgfSxcbiAgICB9LFxuICB9LFxufSk7XG4iXSwibWFwcGluZ3MiOiI7Ozs7O0FBS0EsTUFBTSxPQUFPLGNBQWMsSUFBSSxJQUFJLEtBQUEsMkNBQW9CLENBQUM7QUFFeEQsSUFBQSwrQkFBZSxhQUFhO0NBQzFCLE1BQU0sRUFDSixPQUFPO0VBQ0wsUUFBUTtFQUNSLGVBQWUsRUFDYixPQUFPO0dBQ0wsT0FBTyxRQUFRLE1BQU0sbUJBQW1CO0dBRXhDLFFBQVEsUUFBUSxNQUFNLHFCQUFxQjtFQUM3QyxFQUNGO0NBQ0YsRUFDRjtDQUNBLFNBQVMsRUFDUCxPQUFPO0VBQ0wsUUFBUTtFQUVSLGVBQWU7R0FDYixPQUFPLEVBQUUsT0FBTyxRQUFRLE1BQU0sc0JBQXNCLEVBQUU7R0FDdEQsUUFBUTtJQUFFLFFBQVE7SUFBTyxnQkFBZ0I7R0FBYTtFQUN4RDtDQUNGLEVBQ0Y7Q0FDQSxVQUFVO0VBQ1IsTUFBTSxRQUFRLE1BQU0sY0FBYztFQUNsQyxTQUFTLENBQUMsSUFBSSxDQUFDO0VBQ2YsT0FBTztHQUNMLFFBQVEsUUFBUSxNQUFNLGNBQWM7R0FDcEMsdUJBQXVCO0dBQ3ZCLGVBQWUsRUFBRSxPQUFPLFFBQVEsTUFBTSx5QkFBeUIsRUFBRTtFQUNuRTtDQUNGO0FBQ0YsQ0FBQyJ9