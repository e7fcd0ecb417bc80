package com.example.clinic;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/owners")
public class OwnerApiController {

    private final OwnerDirectory directory;

    public OwnerApiController(OwnerDirectory directory) {
        this.directory = directory;
    }

    @GetMapping("/{id}")
    public OwnerDetails owner(@PathVariable long id) {
        return directory.details(id).orElseThrow(() -> new OwnerNotFoundException(id));
    }
}
